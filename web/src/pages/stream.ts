// A live stream: its comments and tips as they happen (the stream's Server-Sent Events, with
// the browser's EventSource, which resumes with Last-Event-ID by itself), a comment box and
// a tip button whose tips carry the stream's context.
import type { ApiSchema } from "@mesi/sdk";

import { busy, el, replace, section } from "../dom.js";
import { formatAmount, nativeDenom, parseAmount, shortAddress } from "../format.js";
import type { Page } from "../page.js";
import { wallet } from "../wallet.js";

type Comment = ApiSchema<"Comment">;
/** The `tip` event's data (`StreamTip` in the indexer). */
interface StreamTip {
  position: string;
  kind: "tip" | "fiat_tip";
  fan?: string | null;
  asset: string;
  amount: string;
  message?: string | null;
}

export const streamPage: Page = async ({ api, config, root, signal }, streamId) => {
  const { data: stream, error } = await api.GET("/streams/{stream_id}", { params: { path: { stream_id: streamId } } });
  if (!stream) throw new Error(error?.error.message ?? "no such stream");
  const { data: creator } = await api.GET("/creators/{address}", { params: { path: { address: stream.creator } } });
  const asset = creator?.tip_minimums[0]?.asset ?? "native:uusdc";
  const state = el("p", { class: "muted" }, stream.live ? "Live" : "Ended");
  const activity = section("Comments and tips", "stream-activity");
  const list = el("ul", { class: "plain" });
  activity.body.append(list);
  root.append(el("h1", {}, stream.title), state, el("p", {}, el("a", { href: `#/creators/${stream.creator}` }, creator?.display_name ?? stream.creator)), activity.root);

  const older = await api.GET("/streams/{stream_id}/comments", { params: { path: { stream_id: streamId }, query: { limit: 30 } } });
  for (const comment of older.data?.items ?? []) list.append(commentRow(comment));

  const events = new EventSource(`${config.api.replace(/\/+$/, "")}/streams/${streamId}/events`);
  signal.addEventListener("abort", () => events.close());
  events.addEventListener("comment", (event) => list.prepend(commentRow(JSON.parse((event as MessageEvent).data) as Comment)));
  events.addEventListener("tip", (event) => {
    const tip = JSON.parse((event as MessageEvent).data) as StreamTip;
    const amount = tip.kind === "tip" ? formatAmount(tip.amount, tip.asset) : `${tip.amount} ${tip.asset} (minor units)`;
    list.prepend(el("li", { "data-kind": "tip" }, `${tip.fan ? shortAddress(tip.fan) : "someone"} tipped ${amount}${tip.message ? `: “${tip.message}”` : ""}`));
  });
  events.addEventListener("ended", () => {
    replace(state, "Ended");
    events.close();
  });

  const signedIn = wallet();
  if (!signedIn || !stream.live) return;
  const body = el("input", { type: "text", maxlength: 500, "aria-label": "comment", placeholder: "Say something" });
  const post = el("button", { type: "submit" }, "Comment");
  const amount = el("input", { type: "text", value: "1", size: 6, "aria-label": "tip amount" });
  const tip = el("button", { type: "button" }, "Tip");
  const status = el("div");
  const form = el("form", {}, body, post, amount, tip);
  root.append(form, status);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    void busy(post, status, async () => {
      const sent = await signedIn.api.POST("/streams/{stream_id}/comments", {
        params: { path: { stream_id: streamId } },
        body: { body: body.value },
      });
      if (!sent.data) throw new Error(sent.error?.error.refusal?.hint ?? sent.error?.error.message ?? "refused");
      body.value = ""; // the comment arrives on the event stream
    });
  });
  tip.addEventListener("click", () =>
    busy(tip, status, async () => {
      const denom = nativeDenom(asset);
      if (!denom) throw new Error("tips in CW20 tokens go through cw20SendExecute");
      await signedIn.tips.tip({ creator: stream.creator, context: { stream: { id: streamId } }, anonymous: false }, "auto", undefined, [
        { denom, amount: parseAmount(amount.value, asset).toString() },
      ]);
    }),
  );
};

function commentRow(comment: Comment): HTMLElement {
  return el("li", { "data-kind": "comment" }, el("strong", {}, shortAddress(comment.author)), ": ", comment.body);
}
