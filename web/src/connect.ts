// Signing in: Keplr when the browser has it; otherwise, on a development stack, an account of
// the chain's test mnemonic. Either way an ADR-036 login for the indexer session (kept for the
// tab, so a reload signs in again without a new signature) and a cosmjs signing client for
// transactions, on the same account.
import { Secp256k1HdWallet } from "@cosmjs/amino";
import { SigningCosmWasmClient } from "@cosmjs/cosmwasm-stargate";
import { stringToPath } from "@cosmjs/crypto";
import { DirectSecp256k1HdWallet, type OfflineSigner } from "@cosmjs/proto-signing";
import { GasPrice } from "@cosmjs/stargate";
import { Meetings, Subscriptions, Tips, createApiClient, keplrSigner, login, type LoginSigner } from "@mesi/sdk";

import type { AppConfig } from "./config.js";
import { remember, remembered, setWallet, type Wallet } from "./wallet.js";

async function connect(
  config: AppConfig,
  kind: Wallet["kind"],
  address: string,
  loginSigner: LoginSigner,
  txSigner: OfflineSigner,
  account?: number,
): Promise<Wallet> {
  const token = (await rememberedToken(config, address)) ?? (await login(createApiClient(config.api), loginSigner, { address })).token;
  remember({ kind, address, account, token });
  const client = await SigningCosmWasmClient.connectWithSigner(config.rpc, txSigner, {
    gasPrice: GasPrice.fromString(config.gasPrice),
    broadcastPollIntervalMs: 300,
  });
  const { contracts } = config;
  return {
    address,
    kind,
    api: createApiClient(config.api, { token }),
    tips: new Tips.TipsClient(client, address, contracts.tips),
    subscriptions: new Subscriptions.SubscriptionsClient(client, address, contracts.subscriptions),
    meetings: new Meetings.MeetingsClient(client, address, contracts.meetings),
    balance: async (denom) => BigInt((await client.getBalance(address, denom)).amount),
  };
}

export async function signInWithKeplr(config: AppConfig): Promise<void> {
  const keplr = window.keplr;
  if (!keplr) throw new Error("Keplr is not installed");
  await keplr.enable(config.chainId);
  const { bech32Address: address } = await keplr.getKey(config.chainId);
  const signer = keplrSigner(keplr, config.chainId, address);
  setWallet(await connect(config, "keplr", address, signer, keplr.getOfflineSigner(config.chainId)));
}

/** Account `index` of the stack's test mnemonic: for development stacks only, since the
 * mnemonic is public to anyone who can load the app's config. */
export async function signInWithDevAccount(config: AppConfig, index: number): Promise<void> {
  if (!config.devMnemonic) throw new Error("this stack has no development wallet");
  const options = { prefix: config.bech32Prefix, hdPaths: [stringToPath(`m/44'/118'/0'/0/${index}`)] };
  const txSigner = await DirectSecp256k1HdWallet.fromMnemonic(config.devMnemonic, options);
  const loginSigner = await Secp256k1HdWallet.fromMnemonic(config.devMnemonic, options);
  const [{ address }] = await txSigner.getAccounts();
  setWallet(await connect(config, "development", address, loginSigner, txSigner, index));
}

/** The tab's remembered session for `address`, while the indexer still accepts it. */
async function rememberedToken(config: AppConfig, address: string): Promise<string | undefined> {
  const kept = remembered();
  if (kept?.address !== address) return undefined;
  const { data } = await createApiClient(config.api, { token: kept.token }).GET("/auth/session", {});
  return data?.address === address ? kept.token : undefined;
}

/** After a reload: signs in again with the wallet this tab used, if any. */
export async function restoreWallet(config: AppConfig): Promise<void> {
  const kept = remembered();
  if (kept?.kind === "development" && kept.account !== undefined) await signInWithDevAccount(config, kept.account);
  else if (kept?.kind === "keplr" && window.keplr) await signInWithKeplr(config);
}
