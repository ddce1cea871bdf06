// The signed-in wallet: an indexer session (ADR-036 login through the SDK) and the SDK's
// signing clients on the same account (connected in connect.ts, which the app loads only at
// sign-in, since cosmjs is most of its size).
import type { OfflineSigner } from "@cosmjs/proto-signing";
import type { ApiClient, KeplrLike, Meetings, Subscriptions, Tips } from "@mesi/sdk";

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

export function setWallet(next: Wallet | undefined) {
  current = next;
  for (const listener of listeners) listener();
}

export function signOut(): void {
  const api = current?.api;
  sessionStorage.removeItem(REMEMBERED_KEY);
  setWallet(undefined);
  void api?.POST("/auth/logout", {});
}

/** What survives a reload of this tab (sessionStorage): which wallet, and its indexer session. */
export interface Remembered {
  kind: Wallet["kind"];
  address: string;
  /** The development wallet's account index. */
  account?: number;
  token: string;
}

const REMEMBERED_KEY = "mesi.wallet";

export function remembered(): Remembered | undefined {
  try {
    return JSON.parse(sessionStorage.getItem(REMEMBERED_KEY) ?? "null") ?? undefined;
  } catch {
    return undefined;
  }
}

export function remember(value: Remembered | undefined): void {
  if (value) sessionStorage.setItem(REMEMBERED_KEY, JSON.stringify(value));
  else sessionStorage.removeItem(REMEMBERED_KEY);
}

