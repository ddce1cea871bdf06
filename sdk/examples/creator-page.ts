// A creator page in a browser with @mesi/sdk and Keplr: read the page from the indexer, sign
// in with Keplr's signArbitrary (ADR-036), tip through the generated Tips signing client and
// follow the creator's live feed. Typechecked by `npm run typecheck` (and so by scripts/sdk).
import { SigningCosmWasmClient } from "@cosmjs/cosmwasm-stargate";
import { GasPrice } from "@cosmjs/stargate";
import {
  Tips,
  createApiClient,
  feedPaths,
  keplrSigner,
  liveFeed,
  login,
  type ApiSchema,
  type KeplrLike,
} from "@mesi/sdk";

// The part of Keplr's window API used here.
declare global {
  interface Window {
    keplr?: KeplrLike & {
      enable(chainId: string): Promise<void>;
      getKey(chainId: string): Promise<{ bech32Address: string }>;
      getOfflineSigner(chainId: string): Parameters<typeof SigningCosmWasmClient.connectWithSigner>[1];
    };
  }
}

export interface MesiConfig {
  chainId: string;
  rpcUrl: string;
  indexerUrl: string;
  tipsContract: string;
  gasPrice: string; // e.g. "0.025ustake"
}

/** The public page: profile, tiers, goals and top tippers, no wallet needed. */
export async function loadCreatorPage(config: MesiConfig, creator: string) {
  const api = createApiClient(config.indexerUrl);
  const path = { address: creator };
  const [profile, tiers, goals] = await Promise.all([
    api.GET("/creators/{address}", { params: { path } }),
    api.GET("/creators/{address}/tiers", { params: { path } }),
    api.GET("/creators/{address}/goals", { params: { path } }),
  ]);
  if (!profile.data) throw new Error(profile.error?.error.message ?? `no creator ${creator}`);
  const asset = profile.data.accepted_assets[0] ?? "native:uusdc"; // `native:<denom>` or `cw20:<address>`
  const top = await api.GET("/creators/{address}/leaderboard", { params: { path, query: { asset, limit: 5 } } });
  return {
    profile: profile.data, // display_name, chat_rule_text, profile.bio, profile.links, ...
    tiers: tiers.data?.items ?? [],
    goals: goals.data?.items ?? [],
    topTippers: top.data?.tippers ?? [],
  };
}

/** Signs in with Keplr and connects a signing client: the session is for session-only routes. */
export async function connectKeplr(config: MesiConfig) {
  const keplr = window.keplr;
  if (!keplr) throw new Error("Keplr is not installed");
  await keplr.enable(config.chainId);
  const { bech32Address: address } = await keplr.getKey(config.chainId);
  const session = await login(createApiClient(config.indexerUrl), keplrSigner(keplr, config.chainId, address));
  const api = createApiClient(config.indexerUrl, { token: session.token });
  const client = await SigningCosmWasmClient.connectWithSigner(config.rpcUrl, keplr.getOfflineSigner(config.chainId), {
    gasPrice: GasPrice.fromString(config.gasPrice),
  });
  return { address, api, tips: new Tips.TipsClient(client, address, config.tipsContract) };
}

/** Tips `amount` of a native coin from the profile's Tip button; returns the transaction hash. */
export async function tip(
  wallet: Awaited<ReturnType<typeof connectKeplr>>,
  creator: string,
  coin: { denom: string; amount: string },
  message?: string,
): Promise<string> {
  const result = await wallet.tips.tip({ creator, context: "profile", anonymous: false, message }, "auto", undefined, [coin]);
  return result.transactionHash;
}

/** Calls `onTip` for every new tip to `creator` until `signal` aborts. Returns the last item's
 * id: pass it as `after` next time to resume where the page left off. */
export async function followTips(
  config: MesiConfig,
  creator: string,
  onTip: (tip: ApiSchema<"FeedItemTip">) => void,
  options: { signal: AbortSignal; after?: string },
): Promise<string | undefined> {
  let last = options.after;
  for await (const { id, item } of liveFeed(config.indexerUrl, feedPaths.creator(creator), { ...options, kind: "tip" })) {
    last = id;
    if (item.kind === "tip") onTip(item); // item.data.amount, item.data.asset, item.fan, item.data.message
  }
  return last;
}
