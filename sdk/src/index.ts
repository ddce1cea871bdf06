// @mesi/sdk: the Mesi contracts' clients and types (generated), the indexer API client
// (generated types), and the helpers generation cannot give: login, live feeds, CW20 payments.
export * from "./contracts/index.js";
export * from "./api/client.js";
export * from "./auth.js";
export * from "./feed.js";
export * from "./cw20.js";
