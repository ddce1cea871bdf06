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
