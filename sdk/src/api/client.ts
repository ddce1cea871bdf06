// A typed client of the indexer's HTTP API: openapi-fetch over the generated `paths`.
import createClient, { type Client, type Middleware } from "openapi-fetch";

import type { components, paths } from "./schema.js";

export type { components, operations, paths } from "./schema.js";
/** The API's schemas by name, e.g. `ApiSchema<"FeedItem">`. */
export type ApiSchema<Name extends keyof components["schemas"]> = components["schemas"][Name];
export type ApiClient = Client<paths>;

export interface ApiClientOptions {
  /** A session token (from `login`), sent as `Authorization: Bearer <token>`; a function is
   * asked on every request, so a token obtained later is used from then on. */
  token?: string | (() => string | undefined);
  /** The fetch to use (default: the global one). */
  fetch?: typeof globalThis.fetch;
  /** Headers for every request. */
  headers?: Record<string, string>;
}

/** `createApiClient("https://indexer.example", {token})` -> `client.GET("/creators/{address}", ...)`. */
export function createApiClient(baseUrl: string, options: ApiClientOptions = {}): ApiClient {
  const client = createClient<paths>({
    baseUrl: baseUrl.replace(/\/+$/, ""),
    headers: options.headers,
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  const { token } = options;
  if (token !== undefined) {
    const auth: Middleware = {
      onRequest({ request }) {
        const value = typeof token === "function" ? token() : token;
        if (value && !request.headers.has("authorization")) {
          request.headers.set("authorization", `Bearer ${value}`);
        }
        return request;
      },
    };
    client.use(auth);
  }
  return client;
}
