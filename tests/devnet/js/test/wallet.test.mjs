// A wallet library against a chain with the suite: cosmjs signs with an HD wallet from the
// chain's mnemonic (SIGN_MODE_DIRECT), broadcasts a tip, a subscription, a meeting bid and a
// failing tip, and reads the contracts back with smart queries.
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

const RPC = process.env.MESI_CHAIN_RPC ?? "http://127.0.0.1:26657";
const CHAIN_INFO = process.env.MESI_CHAIN_INFO;
const INDEXER_API = process.env.MESI_INDEXER_API;

const CREATOR_INDEX = 3;
const FAN_INDEX = 4;
const TIP = 2_500_000n; // 2.5 USDC
const TIER_PRICE = 10_000_000n;
const BID = 50_000_000n;

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
    fan = await connect(info, FAN_INDEX);
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
    const register = await creator.client.execute(
      creator.address,
      contracts.creators,
      {
        register_creator: {
          profile: {
            display_name: "Wallet Test Creator",
            payout: null,
            accepted_assets: [],
            tip_minimums: [],
            chat_rule: "everyone",
          },
        },
      },
      "auto",
    );
    const profile = register.events.find((e) => e.type === "wasm-mesi.creator.v1");
    assert.ok(profile, "the registry's typed event");
    assert.ok(profile.attributes.some((a) => a.key === "_contract_address" && a.value === contracts.creators));

    await creator.client.execute(
      creator.address,
      contracts.subscriptions,
      {
        create_tier: {
          tier: 1,
          asset: native(info.stable_denom),
          period_seconds: 30 * 86_400,
          terms: {
            name: "Supporter",
            price: TIER_PRICE.toString(),
            subscriber_cap: null,
            bundles: [],
            trial_seconds: null,
          },
        },
      },
      "auto",
    );

    const block = await creator.client.getBlock();
    const now = BigInt(Date.parse(block.header.time)) / 1000n;
    const nanos = (seconds) => (seconds * 1_000_000_000n).toString();
    const open = await creator.client.execute(
      creator.address,
      contracts.meetings,
      {
        open_auction: {
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
        },
      },
      "auto",
    );
    assert.ok(open.transactionHash);
    const auctions = await creator.client.queryContractSmart(contracts.meetings, {
      auctions_by_creator: { creator: creator.address, start_after: null, limit: null },
    });
    assert.equal(auctions.auctions.length, 1);
    auctionId = auctions.auctions[0].auction_id;
  });

  test("the fan tips with a message", async () => {
    const result = await fan.client.execute(
      fan.address,
      contracts.tips,
      {
        tip: {
          creator: creator.address,
          context: "profile",
          message: "great stream!",
          anonymous: false,
        },
      },
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

    const total = await fan.client.queryContractSmart(contracts.tips, {
      tipped_total: { creator: creator.address, fan: fan.address, asset: native(info.stable_denom) },
    });
    assert.equal(total.amount, TIP.toString());

    // The transaction as the chain indexed it: same hash, success, the fee paid.
    const indexed = await fan.client.getTx(result.transactionHash);
    assert.equal(indexed.code, 0);
    assert.equal(indexed.height, result.height);
  });

  test("the fan subscribes", async () => {
    const result = await fan.client.execute(
      fan.address,
      contracts.subscriptions,
      {
        subscribe: {
          creator: creator.address,
          tier: 1,
          periods: 1,
          max_price_per_period: TIER_PRICE.toString(),
          auto_renew: false,
        },
      },
      "auto",
      undefined,
      [{ denom: info.stable_denom, amount: TIER_PRICE.toString() }],
    );
    txHashes.subscription = result.transactionHash;
    const status = await fan.client.queryContractSmart(contracts.subscriptions, {
      status: { creator: creator.address, fan: fan.address },
    });
    assert.equal(status.active, true);
    assert.equal(status.tier, 1);
  });

  test("the fan bids for the meeting", async () => {
    const result = await fan.client.execute(
      fan.address,
      contracts.meetings,
      { bid: { auction_id: auctionId } },
      "auto",
      undefined,
      [{ denom: info.stable_denom, amount: BID.toString() }],
    );
    txHashes.bid = result.transactionHash;
    const auction = await fan.client.queryContractSmart(contracts.meetings, {
      auction: { auction_id: auctionId },
    });
    assert.equal(auction.top_bid.bidder, fan.address);
    assert.equal(auction.top_bid.amount, BID.toString());
  });

  test("a failing message is recorded as failed and costs only its fee", async () => {
    const usdcBefore = await fan.client.getBalance(fan.address, info.stable_denom);
    const feesBefore = await fan.client.getBalance(fan.address, info.fee_denom);
    const fee = calculateFee(600_000, GasPrice.fromString(`${info.min_gas_price}${info.fee_denom}`));
    // A tip to someone who is not a registered creator: the contract refuses it in the block.
    let message = "";
    await assert.rejects(
      fan.client.execute(
        fan.address,
        contracts.tips,
        { tip: { creator: fan.address, context: "profile", message: null, anonymous: false } },
        fee,
        undefined,
        [{ denom: info.stable_denom, amount: "1000000" }],
      ),
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
