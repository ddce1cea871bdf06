// What every page gets: the config, the API client without a session, its element, and a
// signal that aborts when the reader leaves the page (live feeds stop then).
import { createApiClient, type ApiClient } from "@mesi/sdk";

import type { AppConfig } from "./config.js";

export interface PageContext {
  config: AppConfig;
  api: ApiClient;
  root: HTMLElement;
  signal: AbortSignal;
}

export type Page = (context: PageContext, ...params: string[]) => Promise<void>;

export function publicApi(config: AppConfig): ApiClient {
  return createApiClient(config.api);
}

/** Loads again until the answer holds `height` (the block of a transaction just sent), since
 * the indexer follows the chain a moment behind. Gives the last answer after `timeoutMs`. */
export async function untilIndexed<T extends { height?: number | null }>(
  load: () => Promise<{ data?: T }>,
  height: number,
  timeoutMs = 20_000,
): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { data } = await load();
    if ((data?.height ?? -1) >= height || Date.now() > deadline) return data;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}
