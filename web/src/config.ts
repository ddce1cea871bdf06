// What the app needs to know about the stack, read from /config.json at start: scripts/dev
// writes it from the chain's description (`mesi-devnet ... --info-out`) and the API's URL.

export interface Contracts {
  creators: string;
  tips: string;
  subscriptions: string;
  meetings: string;
}

export interface AppConfig {
  /** The indexer API's base URL. */
  api: string;
  /** The chain's CometBFT RPC URL (transactions are signed here and broadcast there). */
  rpc: string;
  chainId: string;
  bech32Prefix: string;
  /** e.g. "0.025ustake". */
  gasPrice: string;
  contracts: Contracts;
  /** The chain's test mnemonic, for the development wallet. Development stacks only. */
  devMnemonic?: string;
  /** The first account index the development wallet offers (the demo's fans). */
  devFirstAccount?: number;
}

export async function loadConfig(): Promise<AppConfig> {
  const response = await fetch("/config.json", { cache: "no-store" });
  if (!response.ok) throw new Error(`no /config.json (${response.status}): start the app with scripts/dev`);
  return (await response.json()) as AppConfig;
}
