// The signed-in wallet: an indexer session (ADR-036 login through the SDK) and the SDK's
// signing clients on the same account. Keplr when the browser has it; otherwise, on a
// development stack, an account of the chain's test mnemonic.
import { Secp256k1HdWallet } from "@cosmjs/amino";
import { SigningCosmWasmClient } from "@cosmjs/cosmwasm-stargate";
import { stringToPath } from "@cosmjs/crypto";
import { DirectSecp256k1HdWallet, type OfflineSigner } from "@cosmjs/proto-signing";
import { GasPrice } from "@cosmjs/stargate";
import {
  Meetings,
  Subscriptions,
  Tips,
  createApiClient,
  keplrSigner,
  login,
  type ApiClient,
  type KeplrLike,
  type LoginSigner,
} from "@mesi/sdk";

import type { AppConfig } from "./config.js";

declare global {
  interface Window {
    keplr?: KeplrLike & {
      enable(chainId: string): Promise<void>;
      getKey(chainId: string): Promise<{ bech32Address: string }>;
      getOfflineSigner(chainId: string): OfflineSigner;
    };
  }
}

export interface Wallet {
  address: string;
  kind: "keplr" | "development";
  /** The API client with this wallet's session. */
  api: ApiClient;
  tips: Tips.TipsClient;
  subscriptions: Subscriptions.SubscriptionsClient;
  meetings: Meetings.MeetingsClient;
  /** The native balance of `denom`, in its smallest unit. */
  balance(denom: string): Promise<bigint>;
}

let current: Wallet | undefined;
const listeners = new Set<() => void>();

export function wallet(): Wallet | undefined {
  return current;
}

/** Calls `listener` whenever the wallet signs in or out; returns the unsubscribe. */
export function onWalletChange(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function setWallet(next: Wallet | undefined) {
  current = next;
  for (const listener of listeners) listener();
}

export function signOut(): void {
  const api = current?.api;
  setWallet(undefined);
  void api?.POST("/auth/logout", {});
}

async function connect(
  config: AppConfig,
  kind: Wallet["kind"],
  address: string,
  loginSigner: LoginSigner,
  txSigner: OfflineSigner,
): Promise<Wallet> {
  const session = await login(createApiClient(config.api), loginSigner, { address });
  const client = await SigningCosmWasmClient.connectWithSigner(config.rpc, txSigner, {
    gasPrice: GasPrice.fromString(config.gasPrice),
    broadcastPollIntervalMs: 300,
  });
  const { contracts } = config;
  return {
    address,
    kind,
    api: createApiClient(config.api, { token: session.token }),
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
  setWallet(await connect(config, "development", address, loginSigner, txSigner));
}
