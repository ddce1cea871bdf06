// The SDK (@mesi/sdk) against a running stack, as a frontend uses it: a chain with the suite
// (the devnet or wasmd) and an indexer following it. Only the SDK's public exports and cosmjs
// wallets: ADR-036 sign-in with `login`, a creator page through `createApiClient` (profile,
// tiers, goals, top tippers), the session on session-only routes, a tip through the generated
// Tips signing client, and the tip arriving on the creator's live feed (`liveFeed`), opened
// before tipping and resumed with the last event id.
//
// MESI_CHAIN_RPC, MESI_CHAIN_INFO: as in wallet.test.mjs. MESI_INDEXER_API: the indexer's API;
// without it, this file is skipped. It uses accounts of its own (5 and 6), so that it can run
// beside wallet.test.mjs.

import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { before, describe, test } from "node:test";

import { Secp256k1HdWallet } from "@cosmjs/amino";
import { SigningCosmWasmClient } from "@cosmjs/cosmwasm-stargate";
import { stringToPath } from "@cosmjs/crypto";
import { DirectSecp256k1HdWallet } from "@cosmjs/proto-signing";
import { GasPrice } from "@cosmjs/stargate";
import { Creators, Subscriptions, Tips, createApiClient, feedPaths, liveFeed, login } from "@mesi/sdk";

const RPC = process.env.MESI_CHAIN_RPC ?? "http://127.0.0.1:26657";
const CHAIN_INFO = process.env.MESI_CHAIN_INFO;
const INDEXER_API = process.env.MESI_INDEXER_API;

const CREATOR_INDEX = 5;
const FAN_INDEX = 6;
const FIRST_TIP = 3_000_000n;
const SECOND_TIP = 1_250_000n;
const TIER_PRICE = 4_000_000n;
const WAIT_MS = 30_000;

async function chainInfo() {
  if (CHAIN_INFO) return JSON.parse(await readFile(CHAIN_INFO, "utf8"));
  const body = await (await fetch(`${RPC}/dev_info`)).json();
  assert.ok(body.result, `dev_info failed: ${JSON.stringify(body)}`);
  return body.result;
}

/** One account of the chain's mnemonic: a direct signer for transactions, an amino one for
 * ADR-036 sign-in, and the SDK's signing clients. */
async function account(info, index) {
  const options = { prefix: info.bech32_prefix, hdPaths: [stringToPath(`m/44'/118'/0'/0/${index}`)] };
  const wallet = await DirectSecp256k1HdWallet.fromMnemonic(info.mnemonic, options);
  const loginWallet = await Secp256k1HdWallet.fromMnemonic(info.mnemonic, options);
  const [{ address }] = await wallet.getAccounts();
  const client = await SigningCosmWasmClient.connectWithSigner(RPC, wallet, {
    gasPrice: GasPrice.fromString(`${info.min_gas_price}${info.fee_denom}`),
    broadcastPollIntervalMs: 200,
    broadcastTimeoutMs: 30_000,
  });
  const { contracts } = info.deployment;
  return {
    address,
    client,
    loginWallet,
    creators: new Creators.CreatorsClient(client, address, contracts.creators),
    subscriptions: new Subscriptions.SubscriptionsClient(client, address, contracts.subscriptions),
    tips: new Tips.TipsClient(client, address, contracts.tips),
  };
}

/** Calls `probe` until it returns something other than undefined. */
async function eventually(what, probe) {
  const deadline = Date.now() + WAIT_MS;
  let last;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}${last ? `: ${last.message}` : ""}`);
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
}

function within(promise, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), WAIT_MS);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** A creator's live feed of tips through the SDK, with a promise settled once the server
 * answered the connection (the server subscribes before it answers, so nothing indexed after
 * that is missed). */
function openTipFeed(creator, after) {
  const controller = new AbortController();
  let connected;
  const answered = new Promise((resolve) => {
    connected = resolve;
  });
  const feed = liveFeed(INDEXER_API, feedPaths.creator(creator), {
    kind: "tip",
    after,
    signal: controller.signal,
    maxRetries: 5,
    fetch: async (input, init) => {
      const response = await fetch(input, init);
      connected(response.status);
      return response;
    },
  });
  // The generator connects when first asked for an item.
  const first = feed.next();
  return {
    first,
    answered,
    next: () => feed.next(),
    close: async () => {
      controller.abort();
      await feed.return(undefined);
    },
  };
}

const sameHash = (a, b) => a.toUpperCase() === b.toUpperCase();

describe("the SDK against a chain and an indexer", { skip: !INDEXER_API && "MESI_INDEXER_API is not set" }, () => {
  let info;
  let contracts;
  let stable;
  let creator;
  let fan;
  /** Clients of the API: anonymous, and with the creator's and the fan's sessions. */
  const api = {};
  let goalId;
  let lastEventId;

  before(async () => {
    info = await chainInfo();
    assert.ok(info.deployment, "the chain has no Mesi deployment");
    contracts = info.deployment.contracts;
    stable = `native:${info.stable_denom}`;
    creator = await account(info, CREATOR_INDEX);
    fan = await account(info, FAN_INDEX);
    assert.equal(creator.address, info.accounts[CREATOR_INDEX].address);
    api.anonymous = createApiClient(INDEXER_API);
  });

  test("signs in with ADR-036 through login", async () => {
    for (const [name, who] of [["creator", creator], ["fan", fan]]) {
      const session = await login(api.anonymous, who.loginWallet);
      assert.equal(session.address, who.address);
      assert.ok(session.token.length > 0);
      assert.ok(Date.parse(session.expires_at) > Date.now(), "the session expires in the future");
      api[name] = createApiClient(INDEXER_API, { token: session.token });
      const current = await api[name].GET("/auth/session");
      assert.equal(current.response.status, 200);
      assert.equal(current.data.address, who.address);
    }
    const anonymous = await api.anonymous.GET("/auth/session");
    assert.equal(anonymous.response.status, 401);
    assert.equal(anonymous.data, undefined);
    assert.ok(anonymous.error.error.code);
  });

  test("reads the creator page: profile and tiers", async () => {
    // Registers the creator and opens a tier through the generated signing clients when the
    // chain has no profile for this account yet.
    const registered = await creator.creators.creator({ address: creator.address }).then(
      () => true,
      () => false,
    );
    if (!registered) {
      await creator.creators.registerCreator({
        profile: {
          display_name: "SDK Test Creator",
          payout: null,
          accepted_assets: [],
          tip_minimums: [],
          chat_rule: "everyone",
        },
      });
    }
    const onChain = await creator.creators.creator({ address: creator.address });
    const { tiers } = await creator.subscriptions.tiers({ creator: creator.address });
    if (!tiers.some((t) => t.tier === 1)) {
      await creator.subscriptions.createTier({
        tier: 1,
        asset: { native: { denom: info.stable_denom } },
        periodSeconds: 30 * 86_400,
        terms: { name: "SDK Supporter", price: TIER_PRICE.toString(), subscriber_cap: 50, bundles: [], trial_seconds: null },
      });
    }
    const tier = await creator.subscriptions.tier({ creator: creator.address, tier: 1 });

    const page = await eventually("the indexed creator page", async () => {
      const { data } = await api.anonymous.GET("/creators/{address}", {
        params: { path: { address: creator.address } },
      });
      return data;
    });
    assert.equal(page.address, creator.address);
    assert.equal(page.contract, contracts.creators);
    assert.equal(page.display_name, onChain.display_name);
    assert.equal(page.active, true);
    assert.deepEqual(page.chat_rule, "everyone");
    assert.ok(page.chat_rule_text.length > 0);
    assert.ok(!Number.isNaN(Date.parse(page.registered_at)));
    assert.ok(Array.isArray(page.profile.links));

    const missing = await api.anonymous.GET("/creators/{address}", { params: { path: { address: fan.address } } });
    assert.equal(missing.response.status, 404);
    assert.equal(missing.error.error.code, "not_found");

    const indexedTier = await eventually("the indexed tier", async () => {
      const { data } = await api.anonymous.GET("/creators/{address}/tiers", {
        params: { path: { address: creator.address } },
      });
      return data?.items.find((t) => t.tier === 1);
    });
    assert.equal(indexedTier.creator, creator.address);
    assert.equal(indexedTier.contract, contracts.subscriptions);
    assert.equal(indexedTier.name, tier.name);
    assert.equal(indexedTier.price, tier.price);
    assert.equal(indexedTier.asset, stable);
    assert.equal(indexedTier.period_seconds, String(tier.period_seconds));
    assert.equal(indexedTier.subscriber_cap, tier.subscriber_cap);
    assert.equal(indexedTier.subscribers, tier.counted_subscribers);
  });

  test("uses the sessions on session-only routes", async () => {
    const address = creator.address;
    const update = {
      bio: "Made with the Mesi SDK.\nSecond line.",
      avatar_url: "https://example.com/avatar.png",
      links: [{ label: "Website", url: "https://example.com/mesi" }],
    };
    const put = await api.creator.PUT("/creators/{address}/profile", { params: { path: { address } }, body: update });
    assert.equal(put.response.status, 200, JSON.stringify(put.error));
    assert.equal(put.data.profile.bio, update.bio);
    assert.deepEqual(put.data.profile.links, update.links);
    const { data: page } = await api.anonymous.GET("/creators/{address}", { params: { path: { address } } });
    assert.equal(page.profile.bio, update.bio);
    assert.equal(page.profile.avatar_url, update.avatar_url);
    assert.ok(page.profile.updated_at);

    // Another session, or none, may not.
    const asFan = await api.fan.PUT("/creators/{address}/profile", { params: { path: { address } }, body: { bio: "x" } });
    assert.equal(asFan.response.status, 403);
    const anonymous = await api.anonymous.PUT("/creators/{address}/profile", {
      params: { path: { address } },
      body: { bio: "x" },
    });
    assert.equal(anonymous.response.status, 401);

    // The fan's own purchases: the fan's session only.
    const purchases = await api.fan.GET("/fans/{address}/purchases", { params: { path: { address: fan.address } } });
    assert.equal(purchases.response.status, 200, JSON.stringify(purchases.error));
    assert.deepEqual(purchases.data.items, []);
    const notTheirs = await api.creator.GET("/fans/{address}/purchases", { params: { path: { address: fan.address } } });
    assert.equal(notTheirs.response.status, 403);

    // A tip goal, counted from now on.
    const goal = await api.creator.POST("/creators/{address}/goals", {
      params: { path: { address } },
      body: { title: "New microphone", asset: stable, target: "10000000" },
    });
    assert.equal(goal.response.status, 201, JSON.stringify(goal.error));
    assert.equal(goal.data.creator, address);
    assert.equal(goal.data.raised, "0");
    assert.equal(goal.data.reached, false);
    goalId = goal.data.id;
  });

  test("a tip through the Tips client arrives on the creator's live feed", async () => {
    const { data: page } = await api.anonymous.GET("/creators/{address}", {
      params: { path: { address: creator.address } },
    });
    // Resume after the creator's newest item when there is one: no gap even if the tip is
    // indexed before the connection is up.
    const feed = openTipFeed(creator.address, page.last_activity ?? undefined);
    assert.equal(await within(feed.answered, "the live feed to answer"), 200);

    const result = await fan.tips.tip(
      { creator: creator.address, context: "profile", message: "from the SDK", anonymous: false },
      "auto",
      undefined,
      [{ denom: info.stable_denom, amount: FIRST_TIP.toString() }],
    );
    const { value, done } = await within(feed.first, "the tip on the live feed");
    assert.equal(done, false);
    await feed.close();
    const { id, item } = value;
    assert.equal(item.kind, "tip");
    assert.equal(item.id, id);
    assert.equal(item.event_type, "mesi.tip.v1");
    assert.equal(item.contract, contracts.tips);
    assert.equal(item.creator, creator.address);
    assert.equal(item.fan, fan.address);
    assert.ok(sameHash(item.tx_hash, result.transactionHash), `${item.tx_hash} is ${result.transactionHash}`);
    assert.equal(item.height, result.height);
    assert.equal(item.data.amount, FIRST_TIP.toString());
    assert.equal(item.data.asset, stable);
    assert.equal(item.data.creator, creator.address);
    assert.equal(item.data.fan, fan.address);
    assert.equal(item.data.message, "from the SDK");
    assert.equal(BigInt(item.data.fee) + BigInt(item.data.creator_amount), FIRST_TIP);
    lastEventId = id;
  });

  test("the feed resumes after the last event id", async () => {
    // A tip while no feed is open, then a feed resumed after the last item seen: it replays
    // that tip, and not the one before.
    const result = await fan.tips.tip({ creator: creator.address, context: "profile", anonymous: false }, "auto", undefined, [
      { denom: info.stable_denom, amount: SECOND_TIP.toString() },
    ]);
    const feed = openTipFeed(creator.address, lastEventId);
    const { value } = await within(feed.first, "the resumed live feed");
    await feed.close();
    assert.notEqual(value.id, lastEventId);
    assert.equal(value.item.kind, "tip");
    assert.ok(sameHash(value.item.tx_hash, result.transactionHash));
    assert.equal(value.item.data.amount, SECOND_TIP.toString());
    assert.equal(value.item.fan, fan.address);
    assert.equal(value.item.creator, creator.address);
    assert.equal(value.item.data.message, undefined);
  });

  test("top tippers and the goal count the tips", async () => {
    const onChain = await fan.tips.tippedTotal({
      creator: creator.address,
      fan: fan.address,
      asset: { native: { denom: info.stable_denom } },
    });
    assert.ok(BigInt(onChain.amount) >= FIRST_TIP + SECOND_TIP);
    const top = await eventually("the fan on the leaderboard", async () => {
      const { data } = await api.anonymous.GET("/creators/{address}/leaderboard", {
        params: { path: { address: creator.address }, query: { asset: stable } },
      });
      const entry = data?.tippers.find((t) => t.fan === fan.address);
      return entry?.total === onChain.amount ? entry : undefined;
    });
    assert.equal(top.rank, 1);
    assert.ok(top.tips >= 2);

    const { data: goals } = await api.anonymous.GET("/creators/{address}/goals", {
      params: { path: { address: creator.address } },
    });
    const goal = goals.items.find((g) => g.id === goalId);
    assert.ok(goal, `goal ${goalId} in ${JSON.stringify(goals.items)}`);
    assert.equal(goal.raised, (FIRST_TIP + SECOND_TIP).toString());
    assert.equal(goal.percent, 42);
    assert.equal(goal.reached, false);
  });
});
