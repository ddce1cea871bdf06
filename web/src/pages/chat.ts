// Chat with a creator: open the thread, send; when the creator's rule refuses, show what
// would qualify (the refusal's `qualify`) with buttons that do it, then let the message go.
import type { ApiSchema, Creators } from "@mesi/sdk";

import { busy, el, replace, section } from "../dom.js";
import { formatAmount, shortAddress } from "../format.js";
import type { Page } from "../page.js";
import { wallet, type Wallet } from "../wallet.js";
import { subscribe } from "./creator.js";

type Tier = ApiSchema<"Tier">;
type Message = ApiSchema<"Message">;

/** The refusal's `qualify` is the Creators contract's `Qualification` (the OpenAPI document
 * types it only as an object). */
type Qualification = Creators.Qualification;

const assetText = (asset: Creators.AssetInfo) => ("native" in asset ? `native:${asset.native.denom}` : `cw20:${asset.cw20.contract}`);

/** "subscribe to tier 2 or tip 9 USDC more": the API's `hint` says the same in raw units. */
function describe(q: Qualification): string {
  if (typeof q === "string") {
    return { hold_surprise: "hold a sealed surprise", ask_creator_for_allowlist: "ask the creator to let you in", impossible: "nothing you can do" }[q];
  }
  if ("subscribe" in q) return `subscribe to tier ${q.subscribe.min_tier}`;
  if ("tip" in q) return `tip ${formatAmount(q.tip.more, assetText(q.tip.asset))} more`;
  if ("spend_on_ppv" in q) return `spend ${formatAmount(q.spend_on_ppv.more, assetText(q.spend_on_ppv.asset))} more on pay-per-view`;
  if ("any_of" in q) return q.any_of.items.map(describe).join(" or ");
  if ("all_of" in q) return q.all_of.items.map(describe).join(" and ");
  return `${q.at_least.k} of: ${q.at_least.items.map(describe).join(", ")}`;
}

export const chatPage: Page = async ({ api, root }, creator) => {
  const signedIn = wallet();
  const { data: profile } = await api.GET("/creators/{address}", { params: { path: { address: creator } } });
  root.append(el("h1", {}, `Chat with ${profile?.display_name ?? shortAddress(creator)}`));
  if (!signedIn) {
    root.append(el("p", {}, "Sign in to message this creator."));
    return;
  }
  const opened = await signedIn.api.POST("/chat/threads", { body: { creator } });
  if (!opened.data) throw new Error(opened.error?.error.message ?? "could not open the thread");
  const threadId = opened.data.thread_id;
  const tiers = (await api.GET("/creators/{address}/tiers", { params: { path: { address: creator } } })).data?.items ?? [];

  const messages = section("Messages", "messages");
  const list = el("ul", { class: "plain" });
  messages.body.append(list);
  const refusal = el("section", { "data-testid": "refusal", hidden: true });
  const body = el("textarea", { rows: 2, cols: 50, maxlength: 2000, "aria-label": "message" });
  const send = el("button", { type: "submit" }, "Send");
  const status = el("div");
  const form = el("form", {}, body, send);
  root.append(messages.root, refusal, form, status);

  const show = (message: Message) =>
    list.append(el("li", {}, el("strong", {}, message.sender === signedIn.address ? "you" : shortAddress(message.sender)), ": ", message.body));
  const page = await signedIn.api.GET("/chat/threads/{thread_id}/messages", { params: { path: { thread_id: threadId }, query: { limit: 50 } } });
  [...(page.data?.items ?? [])].reverse().forEach(show);

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    void busy(send, status, async () => {
      const sent = await signedIn.api.POST("/chat/threads/{thread_id}/messages", {
        params: { path: { thread_id: threadId } },
        body: { body: body.value },
      });
      if (sent.data) {
        show(sent.data);
        body.value = "";
        refusal.hidden = true;
        return;
      }
      const error = sent.error?.error;
      if (error?.code === "not_qualified" && error.refusal) {
        showRefusal(refusal, error.refusal, signedIn, creator, tiers, threadId);
        return;
      }
      throw new Error(error?.message ?? `the message was refused (${sent.response.status})`);
    });
  });
};

function showRefusal(into: HTMLElement, refusal: ApiSchema<"Refusal">, signedIn: Wallet, creator: string, tiers: Tier[], threadId: string) {
  const status = el("div");
  const qualify = refusal.qualify as unknown as Qualification | null | undefined;
  replace(
    into,
    el("h2", {}, "You cannot message yet"),
    el("p", { role: "alert" }, `To qualify: ${qualify ? describe(qualify) : (refusal.hint ?? "see the creator's chat rule")}.`),
    qualify ? actions(qualify, signedIn, creator, tiers, threadId, status) : null,
    status,
  );
  into.hidden = false;
}

/** Buttons for the qualifications a wallet can meet by itself: subscribing and tipping. */
function actions(q: Qualification, signedIn: Wallet, creator: string, tiers: Tier[], threadId: string, status: HTMLElement): HTMLElement {
  const box = el("div", { class: "actions" });
  const done = (what: string) => replace(status, el("span", { role: "status" }, `${what}. Send your message again once it is indexed.`));
  if (typeof q === "string") {
    box.append(el("p", { class: "muted" }, q.replace(/_/g, " ")));
  } else if ("subscribe" in q) {
    const tier = tiers.find((t) => t.tier >= q.subscribe.min_tier);
    if (tier) {
      const button = el("button", { "data-testid": `qualify-subscribe-${tier.tier}` }, `Subscribe to ${tier.name} (${formatAmount(tier.price, tier.asset)})`);
      button.addEventListener("click", () => busy(button, status, async () => (await subscribe(tier), done(`Subscribed to ${tier.name}`))));
      box.append(button);
    }
  } else if ("tip" in q) {
    const asset = assetText(q.tip.asset);
    const button = el("button", { "data-testid": "qualify-tip" }, `Tip ${formatAmount(q.tip.more, asset)}`);
    button.addEventListener("click", () =>
      busy(button, status, async () => {
        if (!("native" in q.tip.asset)) throw new Error("tips in CW20 tokens go through cw20SendExecute");
        await signedIn.tips.tip({ creator, context: { chat: { thread_id: threadId } }, anonymous: false }, "auto", undefined, [
          { denom: q.tip.asset.native.denom, amount: q.tip.more },
        ]);
        done("Tipped");
      }),
    );
    box.append(button);
  } else if ("spend_on_ppv" in q) {
    const asset = assetText(q.spend_on_ppv.asset);
    box.append(el("p", {}, `Buy ${formatAmount(q.spend_on_ppv.more, asset)} more of pay-per-view content`));
  } else {
    const [items, join] =
      "any_of" in q ? [q.any_of.items, "or"] : "all_of" in q ? [q.all_of.items, "and"] : [q.at_least.items, `(${q.at_least.k} of these)`];
    items.forEach((item, i) => {
      if (i > 0) box.append(el("span", { class: "muted" }, ` ${join} `));
      box.append(actions(item, signedIn, creator, tiers, threadId, status));
    });
  }
  return box;
}
