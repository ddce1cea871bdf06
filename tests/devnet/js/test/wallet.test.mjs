// A wallet library against a chain with the suite: cosmjs signs with an HD wallet from the
// chain's mnemonic (SIGN_MODE_DIRECT), and the SDK (@mesi/sdk) builds the contract messages:
// its generated signing clients and message composers broadcast a tip, a subscription, a
// meeting bid and a failing tip, its CW20 helper a tip in MESI, and its query clients read the
// contracts back.
//
// MESI_CHAIN_RPC: the chain's RPC (default http://127.0.0.1:26657, the devnet's).
// MESI_CHAIN_INFO: a JSON file describing the chain in the devnet's `dev_info` shape (as
// `mesi-devnet deploy --info-out` writes it for wasmd); without it, the devnet is asked.
// The Rust test tests/devnet/tests/cosmjs.rs runs this file against a devnet and a wasmd.
// MESI_INDEXER_API: when set, an indexer API following the same chain; the last test then
// checks that the actions show up in its feeds.

import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { before, describe, test } from "node:test";

import { SigningCosmWasmClient } from "@cosmjs/cosmwasm-stargate";
import { DirectSecp256k1HdWallet } from "@cosmjs/proto-signing";
import { GasPrice, calculateFee } from "@cosmjs/stargate";
import { stringToPath } from "@cosmjs/crypto";
import { Creators, Meetings, Subscriptions, Tips, cw20SendExecute } from "@mesi/sdk";

const RPC = process.env.MESI_CHAIN_RPC ?? "http://127.0.0.1:26657";
const CHAIN_INFO = process.env.MESI_CHAIN_INFO;
const INDEXER_API = process.env.MESI_INDEXER_API;

const CREATOR_INDEX = 3;
const FAN_INDEX = 4;
const TIP = 2_500_000n; // 2.5 USDC
const TIER_PRICE = 10_000_000n;
const BID = 50_000_000n;
const MESI_TIP = 7_000_000n; // 7 MESI

async function chainInfo() {
  if (CHAIN_INFO) {
    return JSON.parse(await readFile(CHAIN_INFO, "utf8"));
  }
  const response = await fetch(`${RPC}/dev_info`);
  const body = await response.json();
  assert.ok(body.result, `dev_info failed: ${JSON.stringify(body)}`);
  return body.result;
}

async function connect(info, index) {
  const wallet = await DirectSecp256k1HdWallet.fromMnemonic(info.mnemonic, {
    prefix: info.bech32_prefix,
    hdPaths: [stringToPath(`m/44'/118'/0'/0/${index}`)],
  });
  const [account] = await wallet.getAccounts();
  const client = await SigningCosmWasmClient.connectWithSigner(RPC, wallet, {
    gasPrice: GasPrice.fromString(`${info.min_gas_price}${info.fee_denom}`),
    broadcastPollIntervalMs: 200,
    broadcastTimeoutMs: 30_000,
  });
  return { client, address: account.address };
}

const native = (denom) => ({ native: { denom } });

/** The SDK's signing clients of the suite's contracts for one account. */
function clients({ client, address }, contracts) {
  return {
    creators: new Creators.CreatorsClient(client, address, contracts.creators),
    tips: new Tips.TipsClient(client, address, contracts.tips),
    subscriptions: new Subscriptions.SubscriptionsClient(client, address, contracts.subscriptions),
    meetings: new Meetings.MeetingsClient(client, address, contracts.meetings),
  };
}

describe("cosmjs against a chain with the suite", () => {
  let info;
  let contracts;
  let creator;
  let fan;
  let auctionId;
  const txHashes = {};

  before(async () => {
    info = await chainInfo();
    assert.ok(info.deployment, "the chain has no Mesi deployment");
    contracts = info.deployment.contracts;
    creator = await connect(info, CREATOR_INDEX);
    creator.mesi = clients(creator, contracts);
    fan = await connect(info, FAN_INDEX);
    fan.mesi = clients(fan, contracts);
    assert.equal(creator.address, info.accounts[CREATOR_INDEX].address);
  });

  test("connects: chain id, height and the fan's balances", async () => {
    assert.equal(await fan.client.getChainId(), info.chain_id);
    assert.ok((await fan.client.getHeight()) >= 1);
    const usdc = await fan.client.getBalance(fan.address, info.stable_denom);
    assert.ok(BigInt(usdc.amount) > TIP + TIER_PRICE + BID);
    const account = await fan.client.getAccount(fan.address);
    assert.equal(account.address, fan.address);
  });

  test("the creator registers, opens a tier and a meeting auction", async () => {
    const register = await creator.mesi.creators.registerCreator({
      profile: {
        display_name: "Wallet Test Creator",
        payout: null,
        accepted_assets: [],
        tip_minimums: [],
        chat_rule: "everyone",
      },
    });
    const profile = register.events.find((e) => e.type === "wasm-mesi.creator.v1");
    assert.ok(profile, "the registry's typed event");
    assert.ok(profile.attributes.some((a) => a.key === "_contract_address" && a.value === contracts.creators));

    assert.equal((await creator.mesi.creators.creator({ address: creator.address })).display_name, "Wallet Test Creator");

    await creator.mesi.subscriptions.createTier({
      tier: 1,
      asset: native(info.stable_denom),
      periodSeconds: 30 * 86_400,
      terms: {
        name: "Supporter",
        price: TIER_PRICE.toString(),
        subscriber_cap: null,
        bundles: [],
        trial_seconds: null,
      },
    });

    const block = await creator.client.getBlock();
    const now = BigInt(Date.parse(block.header.time)) / 1000n;
    const nanos = (seconds) => (seconds * 1_000_000_000n).toString();
    const open = await creator.mesi.meetings.openAuction({
      auction: {
        slot: { start: nanos(now + 7n * 86_400n), duration_secs: 1_800, time_zone: "Europe/Paris" },
        format: "video",
        description: "A video call",
        asset: native(info.stable_denom),
        reserve: "1000000",
        min_increment_bps: 500,
        bidding_ends_at: nanos(now + 86_400n),
        extension_secs: 300,
        buy_now: null,
      },
    });
    assert.ok(open.transactionHash);
    const auctions = await creator.mesi.meetings.auctionsByCreator({ creator: creator.address });
    assert.equal(auctions.auctions.length, 1);
    auctionId = auctions.auctions[0].auction_id;
  });

  test("the fan tips with a message", async () => {
    const result = await fan.mesi.tips.tip(
      { creator: creator.address, context: "profile", message: "great stream!", anonymous: false },
      "auto",
      "tip from cosmjs",
      [{ denom: info.stable_denom, amount: TIP.toString() }],
    );
    txHashes.tip = result.transactionHash;
    assert.equal(result.transactionHash.length, 64);
    const tipEvent = result.events.find((e) => e.type === "wasm-mesi.tip.v1");
    assert.ok(tipEvent, "the tips contract's typed event");
    const attribute = (key) => tipEvent.attributes.find((a) => a.key === key)?.value;
    assert.equal(attribute("_contract_address"), contracts.tips);

    const total = await fan.mesi.tips.tippedTotal({
      creator: creator.address,
      fan: fan.address,
      asset: native(info.stable_denom),
    });
    assert.equal(total.amount, TIP.toString());

    // The transaction as the chain indexed it: same hash, success, the fee paid.
    const indexed = await fan.client.getTx(result.transactionHash);
    assert.equal(indexed.code, 0);
    assert.equal(indexed.height, result.height);
  });

  test("the fan subscribes", async () => {
    // The message composer's encode object, signed and broadcast as any other message.
    const composer = new Subscriptions.SubscriptionsMsgComposer(fan.address, contracts.subscriptions);
    const message = composer.subscribe(
      {
        creator: creator.address,
        tier: 1,
        periods: 1,
        maxPricePerPeriod: TIER_PRICE.toString(),
        autoRenew: false,
      },
      [{ denom: info.stable_denom, amount: TIER_PRICE.toString() }],
    );
    assert.equal(message.typeUrl, "/cosmwasm.wasm.v1.MsgExecuteContract");
    const result = await fan.client.signAndBroadcast(fan.address, [message], "auto");
    assert.equal(result.code, 0, result.rawLog);
    txHashes.subscription = result.transactionHash;
    const status = await fan.mesi.subscriptions.status({ creator: creator.address, fan: fan.address });
    assert.equal(status.active, true);
    assert.equal(status.tier, 1);
  });

  test("the fan bids for the meeting", async () => {
    const result = await fan.mesi.meetings.bid({ auctionId }, "auto", undefined, [
      { denom: info.stable_denom, amount: BID.toString() },
    ]);
    txHashes.bid = result.transactionHash;
    const auction = await fan.mesi.meetings.auction({ auctionId });
    assert.equal(auction.top_bid.bidder, fan.address);
    assert.equal(auction.top_bid.amount, BID.toString());
  });

  test("the fan tips in MESI with a CW20 Send", async () => {
    const mesi = { cw20: { contract: contracts.mesi_token } };
    const before = await fan.client.queryContractSmart(contracts.mesi_token, { balance: { address: fan.address } });
    /** @type {Tips.HookMsg} */
    const hook = { tip: { creator: creator.address, context: "profile", message: "in MESI", anonymous: false } };
    const send = cw20SendExecute(fan.address, contracts.mesi_token, contracts.tips, MESI_TIP, hook);
    const result = await fan.client.signAndBroadcast(fan.address, [send], "auto");
    assert.equal(result.code, 0, result.rawLog);
    const tipEvent = result.events.find((e) => e.type === "wasm-mesi.tip.v1");
    assert.ok(tipEvent, "the tips contract's typed event");
    const attribute = (key) => tipEvent.attributes.find((a) => a.key === key)?.value;
    assert.equal(attribute("amount"), MESI_TIP.toString());
    assert.equal(attribute("creator"), creator.address);

    const total = await fan.mesi.tips.tippedTotal({ creator: creator.address, fan: fan.address, asset: mesi });
    assert.equal(total.amount, MESI_TIP.toString());
    const after = await fan.client.queryContractSmart(contracts.mesi_token, { balance: { address: fan.address } });
    assert.equal(BigInt(before.balance) - BigInt(after.balance), MESI_TIP);
  });

  test("a failing message is recorded as failed and costs only its fee", async () => {
    const usdcBefore = await fan.client.getBalance(fan.address, info.stable_denom);
    const feesBefore = await fan.client.getBalance(fan.address, info.fee_denom);
    const fee = calculateFee(600_000, GasPrice.fromString(`${info.min_gas_price}${info.fee_denom}`));
    // A tip to someone who is not a registered creator: the contract refuses it in the block.
    let message = "";
    await assert.rejects(
      fan.mesi.tips.tip({ creator: fan.address, context: "profile", anonymous: false }, fee, undefined, [
        { denom: info.stable_denom, amount: "1000000" },
      ]),
      (error) => {
        message = error.message;
        return /Code: [1-9]/.test(error.message);
      },
    );
    const hash = /tx ([0-9A-F]{64})/.exec(message)[1];
    const indexed = await fan.client.getTx(hash);
    assert.notEqual(indexed.code, 0);
    const usdcAfter = await fan.client.getBalance(fan.address, info.stable_denom);
    assert.equal(usdcAfter.amount, usdcBefore.amount, "the tip's funds were not taken");
    const feesAfter = await fan.client.getBalance(fan.address, info.fee_denom);
    assert.equal(BigInt(feesBefore.amount) - BigInt(feesAfter.amount), BigInt(fee.amount[0].amount));
  });

  test("the indexer shows the actions", { skip: !INDEXER_API && "MESI_INDEXER_API is not set" }, async () => {
    // The indexer follows this chain over RPC; its fan feed lists the tip, the subscription
    // and the bid (one item per transaction hash).
    const deadline = Date.now() + 30_000;
    for (;;) {
      const response = await fetch(`${INDEXER_API}/fans/${fan.address}/feed`);
      const body = response.ok ? await response.text() : "";
      if (Object.values(txHashes).every((hash) => body.toUpperCase().includes(hash.toUpperCase()))) {
        return;
      }
      assert.ok(Date.now() < deadline, `the indexer's fan feed lacks some of ${JSON.stringify(txHashes)}: ${body}`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  });
});
