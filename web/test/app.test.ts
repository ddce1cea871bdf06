// The web app in a real browser (Debian's chromium, headless, driven by playwright-core)
// against a scripts/dev stack: a fan signs in with the development wallet (ADR-036), tips Ava
// and sees the tip arrive in her live feed without a reload, is refused in Ava's chat and
// shown what would qualify, subscribes from that answer, then sends the message. It also
// opens a stream's link in a fresh load (the tab signs in again), comments and tips there, and
// bids in an auction that Ava opens. Screenshots of each page go to test-results/.
//
// MESI_WEB, MESI_DEMO: set by `scripts/dev --run`. MESI_CHROMIUM: the browser.
import assert from "node:assert/strict";
import { mkdir, readFile } from "node:fs/promises";
import { after, before, test } from "node:test";

import { SigningCosmWasmClient } from "@cosmjs/cosmwasm-stargate";
import { stringToPath } from "@cosmjs/crypto";
import { DirectSecp256k1HdWallet } from "@cosmjs/proto-signing";
import { GasPrice } from "@cosmjs/stargate";
import { Meetings } from "@mesi/sdk";
import { chromium, type Browser, type Page } from "playwright-core";

import type { AppConfig } from "../src/config.js";

const WEB = process.env.MESI_WEB;
const DEMO = process.env.MESI_DEMO;
// This file runs from .test-build/test/: the screenshots go to web/test-results/.
const SHOTS = new URL("../../test-results/", import.meta.url).pathname;
/** An account of the stack's mnemonic that the demo leaves alone (a fan with nothing yet; 21-23
 * are such, so the test can run again on one stack with MESI_WEB_TEST_ACCOUNT). */
const FAN_ACCOUNT = Number(process.env.MESI_WEB_TEST_ACCOUNT ?? 23);
/** Ava's account of the stack's mnemonic (the demo's first creator). */
const AVA_ACCOUNT = 3;
const WAIT_MS = 60_000;

let browser: Browser;
let page: Page;
let demo: { ava: string; api: string; ava_session: string };
const pageErrors: string[] = [];

before(async () => {
  assert.ok(WEB && DEMO, "run through scripts/web test (MESI_WEB and MESI_DEMO)");
  demo = JSON.parse(await readFile(DEMO, "utf8"));
  await mkdir(SHOTS, { recursive: true });
  browser = await chromium.launch({
    executablePath: process.env.MESI_CHROMIUM ?? "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox"],
  });
  page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  page.setDefaultTimeout(WAIT_MS);
  page.on("pageerror", (error) => pageErrors.push(error.message));
});

after(async () => {
  await browser?.close();
});

const shot = (name: string) => page.screenshot({ path: `${SHOTS}${name}.png`, fullPage: true });

test("the creators list shows the demo's creators", async () => {
  await page.goto(WEB!);
  await page.getByRole("link", { name: "Ava Strings" }).waitFor();
  await page.getByRole("link", { name: "Ben Crafts" }).waitFor();
  await page.getByLabel("search").fill("ben");
  await page.getByRole("link", { name: "Ava Strings" }).waitFor({ state: "detached" });
  await shot("creators");
  await page.getByLabel("search").fill("");
});

test("a fan signs in with the development wallet", async () => {
  await page.getByLabel("account index").fill(String(FAN_ACCOUNT));
  await page.getByTestId("dev-sign-in").click();
  await page.getByTestId("signed-in").waitFor();
  assert.match((await page.getByTestId("signed-in").getAttribute("title")) ?? "", /^wasm1/);
});

test("a tip is signed, broadcast and appears in the live feed without a reload", async () => {
  await page.getByRole("link", { name: "Ava Strings" }).click();
  await page.getByRole("heading", { name: "Ava Strings" }).waitFor();
  await page.getByTestId("tiers").getByText("Supporters").waitFor();
  // A mark on the window survives only if the page is never reloaded.
  await page.evaluate(() => ((window as unknown as { mark: number }).mark = 1));
  const message = `From the browser ${Date.now()}`;
  const tip = page.getByTestId("tip");
  await tip.getByLabel("amount").fill("1.5");
  await tip.getByLabel("message").fill(message);
  await tip.getByRole("button", { name: "Tip" }).click();
  await tip.getByRole("status").waitFor();
  const item = page.getByTestId("feed").locator('li[data-kind="tip"]', { hasText: message });
  await item.waitFor();
  assert.match(await item.innerText(), /tipped 1\.5 USDC/);
  assert.equal(await page.evaluate(() => (window as unknown as { mark?: number }).mark), 1);
  await shot("creator");
});

test("chat: refused with what would qualify, subscribe from there, then the message goes", async () => {
  await page.getByRole("link", { name: "Message" }).click();
  await page.getByRole("heading", { name: "Chat with Ava Strings" }).waitFor();
  const body = `Hello Ava, ${Date.now()}`;
  await page.getByLabel("message").fill(body);
  await page.getByRole("button", { name: "Send" }).click();
  const refusal = page.getByTestId("refusal");
  await refusal.getByRole("alert").waitFor();
  // Ava lets in subscribers (tier 1 and up) or fans who tipped 10 USDC; 1.5 is tipped.
  assert.match(await refusal.innerText(), /tier 1/);
  assert.match(await refusal.innerText(), /8\.5 USDC/);
  await shot("chat-refused");
  await refusal.getByTestId("qualify-subscribe-1").click();
  await refusal.getByRole("status").waitFor();
  // The subscription counts once the indexer has it: send until the message goes through.
  const sent = page.getByTestId("messages").getByText(body);
  const deadline = Date.now() + WAIT_MS;
  while (!(await sent.isVisible())) {
    assert.ok(Date.now() < deadline, "the message was still refused after subscribing");
    await page.getByRole("button", { name: "Send" }).click();
    await page.waitForTimeout(1000);
  }
  assert.ok(await refusal.isHidden());
  await shot("chat");
});

test("a stream opened anew (the tab signs in again) shows comments and tips as they come", async () => {
  // Ava starts a stream with her session from the demo; the fan watches and comments.
  const started = await fetch(`${demo.api}/streams`, {
    method: "POST",
    headers: { authorization: `Bearer ${demo.ava_session}`, "content-type": "application/json" },
    body: JSON.stringify({ title: "Browser session", playback_url: "https://media.example.com/live/1" }),
  });
  assert.equal(started.status, 201, await started.clone().text());
  const { stream_id: streamId } = (await started.json()) as { stream_id: string };
  // Opened as a shared link: the page loads anew, and the tab's wallet signs in again.
  const address = await page.getByTestId("signed-in").getAttribute("title");
  await page.goto(`${WEB}/#/streams/${streamId}`);
  await page.reload();
  await page.getByRole("heading", { name: "Browser session" }).waitFor();
  assert.equal(await page.getByTestId("signed-in").getAttribute("title"), address);
  const comment = `Great sound ${Date.now()}`;
  await page.getByLabel("comment").fill(comment);
  await page.getByRole("button", { name: "Comment" }).click();
  await page.getByTestId("stream-activity").getByText(comment).waitFor();
  // A tip with the stream's context arrives on the stream's events once indexed.
  await page.getByLabel("tip amount").fill("2");
  await page.getByRole("button", { name: "Tip" }).click();
  await page.getByTestId("stream-activity").locator('li[data-kind="tip"]', { hasText: "tipped 2 USDC" }).waitFor();
  await shot("stream");
  const ended = await fetch(`${demo.api}/streams/${streamId}/end`, {
    method: "POST",
    headers: { authorization: `Bearer ${demo.ava_session}` },
  });
  assert.equal(ended.status, 200, await ended.clone().text());
  await page.getByText("Ended").waitFor();
});

test("a fan bids in a meeting auction and sees the bid listed", async () => {
  const description = `A 30-minute call, ${Date.now()}`;
  const auctionId = await openAuctionAsAva(description);
  await page.getByRole("link", { name: "Auctions" }).click();
  await page.getByTestId("auctions").getByRole("link", { name: description }).click();
  await page.getByRole("heading", { name: description }).waitFor();
  assert.equal(currentHash(), `#/auctions/${auctionId}`);
  await page.getByLabel("bid amount").fill("6");
  await page.getByRole("button", { name: "Bid" }).click();
  await page.getByRole("status").filter({ hasText: "Bid placed." }).waitFor();
  await page.getByTestId("bids").getByText("6 USDC").waitFor();
  await shot("auction");
  assert.deepEqual(pageErrors, [], "no uncaught errors in the page");
});

const currentHash = () => new URL(page.url()).hash;

/** Ava opens an auction (5 USDC reserve, bidding for an hour, the call in two days) with her
 * account of the stack's mnemonic, as a creator's own app would; returns its id. */
async function openAuctionAsAva(description: string): Promise<string> {
  const config = (await (await fetch(new URL("config.json", WEB))).json()) as AppConfig;
  const signer = await DirectSecp256k1HdWallet.fromMnemonic(config.devMnemonic!, {
    prefix: config.bech32Prefix,
    hdPaths: [stringToPath(`m/44'/118'/0'/0/${AVA_ACCOUNT}`)],
  });
  const [{ address }] = await signer.getAccounts();
  assert.equal(address, demo.ava);
  const client = await SigningCosmWasmClient.connectWithSigner(config.rpc, signer, {
    gasPrice: GasPrice.fromString(config.gasPrice),
  });
  const nanos = (secondsFromNow: number) => String(BigInt(Date.now() + secondsFromNow * 1000) * 1_000_000n);
  const meetings = new Meetings.MeetingsClient(client, address, config.contracts.meetings);
  const result = await meetings.openAuction({
    auction: {
      asset: { native: { denom: "uusdc" } },
      bidding_ends_at: nanos(60 * 60),
      description,
      extension_secs: 0,
      format: "video",
      min_increment_bps: 500,
      reserve: "5000000",
      slot: { start: nanos(2 * 24 * 60 * 60), duration_secs: 30 * 60, time_zone: "Europe/Berlin" },
    },
  });
  client.disconnect();
  const attribute = result.events
    .find((event) => event.type === "wasm-mesi.meeting_auction.v1")
    ?.attributes.find((a) => a.key === "auction_id");
  assert.ok(attribute, "the auction's event names its id");
  // The block is committed; the page lists the auction once the indexer has it too.
  const deadline = Date.now() + WAIT_MS;
  while (!(await fetch(`${demo.api}/auctions/${attribute.value}`)).ok) {
    assert.ok(Date.now() < deadline, `the indexer did not show auction ${attribute.value}`);
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  return attribute.value;
}
