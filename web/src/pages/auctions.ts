// Bid-to-Meet: the open auctions, ending soonest first, and one auction with its bids and a
// Bid button (the bid's funds are the bid).
import type { ApiSchema } from "@mesi/sdk";

import { busy, el, replace, section } from "../dom.js";
import { formatAmount, formatTime, nativeDenom, parseAmount, shortAddress } from "../format.js";
import { untilIndexed, type Page } from "../page.js";
import { wallet } from "../wallet.js";

type Auction = ApiSchema<"Auction">;

export const auctionsPage: Page = async ({ api, root }) => {
  const creator = new URLSearchParams(location.hash.split("?")[1] ?? "").get("creator") ?? undefined;
  const { data, error } = await api.GET("/auctions", { params: { query: { creator, state: "open", sort: "ending_soon", limit: 50 } } });
  if (!data) throw new Error(error?.error.message ?? "could not load the auctions");
  const part = section("Open auctions", "auctions");
  part.body.append(
    el(
      "ul",
      { class: "plain" },
      ...data.items.map((a) =>
        el("li", {}, el("a", { href: `#/auctions/${a.auction_id}` }, a.description || `Auction ${a.auction_id}`), ` ${priceText(a)} · ends ${formatTime(a.ends_at)}`),
      ),
      data.items.length === 0 ? el("li", { class: "muted" }, "No open auctions.") : null,
    ),
  );
  root.append(part.root);
};

function priceText(a: Auction): string {
  return a.top_bid ? `top bid ${formatAmount(a.top_bid, a.asset)}` : `reserve ${formatAmount(a.reserve, a.asset)}`;
}

export const auctionPage: Page = async ({ api, root }, auctionId) => {
  const load = () => api.GET("/auctions/{auction_id}", { params: { path: { auction_id: auctionId } } });
  const first = await load();
  if (!first.data) throw new Error(first.error?.error.message ?? "no such auction");
  const auction = first.data;
  const bids = section("Bids", "bids");
  const summary = el("p");
  const show = (a: typeof auction) => {
    replace(
      summary,
      `${a.state} · ${priceText(a)} · bidding ends ${formatTime(a.ends_at)} · the meeting: ${formatTime(a.start)} (${a.time_zone}), ${Number(a.duration_secs) / 60} minutes, ${a.format.replace("_", " ")}`,
    );
    replace(bids.body, el("ul", { class: "plain" }, ...a.bids.map((b) => el("li", {}, `${shortAddress(b.bidder)}: ${formatAmount(b.amount, a.asset)}`))));
  };
  show(auction);
  root.append(el("h1", {}, auction.description || `Auction ${auctionId}`), summary, bids.root);

  const signedIn = wallet();
  if (!signedIn || auction.state !== "open") return;
  const amount = el("input", { type: "text", size: 8, "aria-label": "bid amount" });
  const bid = el("button", { type: "submit" }, "Bid");
  const status = el("div");
  const form = el("form", {}, amount, bid);
  root.append(form, status);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    void busy(bid, status, async () => {
      const denom = nativeDenom(auction.asset);
      if (!denom) throw new Error("bids in CW20 tokens go through cw20SendExecute");
      const result = await signedIn.meetings.bid({ auctionId: Number(auctionId) }, "auto", undefined, [
        { denom, amount: parseAmount(amount.value, auction.asset).toString() },
      ]);
      replace(status, el("span", { role: "status" }, "Bid placed."));
      const next = await untilIndexed(load, result.height);
      if (next) show(next);
    });
  });
};
