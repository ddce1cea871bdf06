// A creator page: profile, tiers with Subscribe, goals, top tippers, the Tip form and the
// creator's live feed (new items appear without a reload; the SDK resumes after a drop).
import { feedPaths, liveFeed, type ApiSchema, type FeedItem } from "@mesi/sdk";

import { append, busy, el, replace, section } from "../dom.js";
import { formatAmount, nativeDenom, parseAmount, shortAddress } from "../format.js";
import type { Page, PageContext } from "../page.js";
import { wallet } from "../wallet.js";

type Creator = ApiSchema<"Creator">;
type Tier = ApiSchema<"Tier">;

export const creatorPage: Page = async (context, address) => {
  const { api, root } = context;
  const path = { address };
  const [creator, tiers, goals] = await Promise.all([
    api.GET("/creators/{address}", { params: { path } }),
    api.GET("/creators/{address}/tiers", { params: { path } }),
    api.GET("/creators/{address}/goals", { params: { path } }),
  ]);
  if (!creator.data) throw new Error(creator.error?.error.message ?? `no creator ${address}`);
  const profile = creator.data;
  const asset = profile.tip_minimums[0]?.asset ?? profile.accepted_assets[0] ?? "native:uusdc";

  const feed = section("Live feed", "feed");
  const feedList = el("ul", { class: "plain" });
  feed.body.append(feedList);
  const top = section("Top tippers", "top-tippers");
  root.append(
    header(profile),
    el("div", { class: "grid" }, tiersSection(tiers.data?.items ?? [], profile).root, tipSection(profile, asset).root),
    el("div", { class: "grid" }, goalsSection(goals.data?.items ?? []).root, top.root),
    feed.root,
  );
  await showTopTippers(context, address, asset, top.body);
  void follow(context, address, feedList, () => void showTopTippers(context, address, asset, top.body));
};

function header(profile: Creator): HTMLElement {
  const extra = profile.profile;
  return el(
    "section",
    { "data-testid": "profile" },
    el("h1", {}, profile.display_name),
    extra?.bio ? el("p", { style: "white-space: pre-line" }, extra.bio) : null,
    el("p", { class: "muted" }, `Chat: ${profile.chat_rule_text}`),
    el(
      "p",
      {},
      el("a", { href: `#/chat/${profile.address}` }, "Message"),
      " · ",
      el("a", { href: `#/auctions?creator=${profile.address}` }, "Meet (auctions)"),
      ...(extra?.links ?? []).flatMap((link) => [" · ", el("a", { href: link.url, rel: "noopener noreferrer", target: "_blank" }, link.label)]),
    ),
  );
}

/** Subscribes the signed-in fan to `tier` for one period at today's price. */
export async function subscribe(tier: Tier): Promise<void> {
  const signedIn = wallet();
  if (!signedIn) throw new Error("sign in first");
  const denom = nativeDenom(tier.asset);
  if (!denom) throw new Error("this tier is paid in a CW20 token; pay it with cw20SendExecute");
  await signedIn.subscriptions.subscribe(
    { creator: tier.creator, tier: tier.tier, periods: 1, maxPricePerPeriod: tier.price, autoRenew: false },
    "auto",
    undefined,
    [{ denom, amount: tier.price }],
  );
}

function tiersSection(tiers: Tier[], profile: Creator) {
  const part = section("Tiers", "tiers");
  const list = el("ul", { class: "plain" });
  for (const tier of tiers) {
    const status = el("span");
    const button = el("button", { "data-testid": `subscribe-${tier.tier}` }, "Subscribe");
    button.addEventListener("click", () =>
      busy(button, status, async () => {
        await subscribe(tier);
        replace(status, el("span", { role: "status" }, `Subscribed to ${tier.name}`));
      }),
    );
    const days = Math.round(Number(tier.period_seconds) / 86400);
    list.append(
      el(
        "li",
        {},
        el("strong", {}, `${tier.tier}. ${tier.name}`),
        ` ${formatAmount(tier.price, tier.asset)} per ${days} days · ${tier.subscribers} subscribers `,
        tier.seats_left != null ? `· ${tier.seats_left} seats left ` : null,
        button,
        status,
      ),
    );
  }
  if (tiers.length === 0) list.append(el("li", { class: "muted" }, `${profile.display_name} sells no tiers.`));
  part.body.append(list);
  return part;
}

function tipSection(profile: Creator, asset: string) {
  const part = section("Tip", "tip");
  const minimum = profile.tip_minimums.find((m) => m.asset === asset);
  const amount = el("input", { type: "text", inputmode: "decimal", value: "1", "aria-label": "amount", size: 8 });
  const message = el("input", { type: "text", maxlength: 280, placeholder: "Message (optional)", "aria-label": "message" });
  const anonymous = el("input", { type: "checkbox", "aria-label": "anonymous" });
  const send = el("button", { type: "submit" }, "Tip");
  const status = el("div");
  const form = el(
    "form",
    {},
    amount,
    ` ${formatAmount(0n, asset).split(" ")[1]} `,
    message,
    el("label", {}, anonymous, " anonymous"),
    send,
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    void busy(send, status, async () => {
      const signedIn = wallet();
      if (!signedIn) throw new Error("sign in first");
      const denom = nativeDenom(asset);
      if (!denom) throw new Error("tips in CW20 tokens go through cw20SendExecute");
      const units = parseAmount(amount.value, asset);
      const result = await signedIn.tips.tip(
        { creator: profile.address, context: "profile", anonymous: anonymous.checked, message: message.value.trim() || undefined },
        "auto",
        undefined,
        [{ denom, amount: units.toString() }],
      );
      replace(status, el("span", { role: "status" }, `Sent in transaction ${result.transactionHash.slice(0, 12)}…`));
      message.value = "";
    });
  });
  append(
    part.body,
    form,
    minimum ? el("p", { class: "muted" }, `At least ${formatAmount(minimum.amount, asset)}.`) : null,
    status,
  );
  return part;
}

function goalsSection(goals: ApiSchema<"Goal">[]) {
  const part = section("Goals", "goals");
  part.body.append(
    el(
      "ul",
      { class: "plain" },
      ...goals.map((goal) =>
        el(
          "li",
          {},
          el("strong", {}, goal.title),
          ` ${formatAmount(goal.raised, goal.asset)} of ${formatAmount(goal.target, goal.asset)} `,
          el("progress", { max: 100, value: Math.min(100, goal.percent) }),
          goal.reached ? " reached" : null,
        ),
      ),
      goals.length === 0 ? el("li", { class: "muted" }, "No goals.") : null,
    ),
  );
  return part;
}

async function showTopTippers({ api }: PageContext, address: string, asset: string, into: HTMLElement) {
  const { data } = await api.GET("/creators/{address}/leaderboard", {
    params: { path: { address }, query: { asset, limit: 5 } },
  });
  const tippers = data?.tippers ?? [];
  replace(
    into,
    el(
      "ol",
      {},
      ...tippers.map((t) => el("li", { title: t.fan }, `${shortAddress(t.fan)}: ${formatAmount(t.total, asset)} in ${t.tips} ${t.tips === 1 ? "tip" : "tips"}`)),
    ),
    tippers.length === 0 ? el("p", { class: "muted" }, "No public tips yet.") : null,
  );
}

export function describeItem(item: FeedItem): string {
  const who = item.fan ? shortAddress(item.fan) : "someone";
  switch (item.kind) {
    case "tip":
      return `${who} tipped ${formatAmount(item.data.amount, item.data.asset)}${item.data.message ? `: “${item.data.message}”` : ""}`;
    case "subscription":
      return `${who} subscribed`;
    default:
      return `${who}: ${item.kind.replace(/_/g, " ")}`;
  }
}

/** The creator's recent items, then live ones from where the page left off. */
async function follow({ api, config, signal }: PageContext, address: string, list: HTMLElement, onTip: () => void) {
  const { data } = await api.GET("/creators/{address}/feed", { params: { path: { address }, query: { limit: 20 } } });
  const recent = data?.items ?? [];
  const show = (item: FeedItem, live: boolean) => {
    const row = el("li", { "data-kind": item.kind, "data-id": item.id }, describeItem(item), " ", el("span", { class: "muted" }, new Date(item.time).toLocaleTimeString()));
    if (live) list.prepend(row);
    else list.append(row);
  };
  recent.forEach((item) => show(item, false));
  const after = recent[0]?.id;
  try {
    for await (const { item } of liveFeed(config.api, feedPaths.creator(address), { after, signal })) {
      show(item, true);
      if (item.kind === "tip") onTip();
    }
  } catch (error) {
    if (!signal.aborted) list.prepend(el("li", { class: "error" }, `The live feed stopped: ${String(error)}`));
  }
}
