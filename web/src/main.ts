// The app shell: the wallet bar and a hash router (#/creators/<address>, #/chat/<creator>, ...).
import { loadConfig, type AppConfig } from "./config.js";
import { busy, el, errorText, replace } from "./dom.js";
import { shortAddress } from "./format.js";
import { publicApi, type Page } from "./page.js";
import { auctionPage, auctionsPage } from "./pages/auctions.js";
import { chatPage } from "./pages/chat.js";
import { creatorPage } from "./pages/creator.js";
import { creatorsPage } from "./pages/creators.js";
import { streamPage } from "./pages/stream.js";
import { onWalletChange, remember, remembered, signOut, wallet } from "./wallet.js";

// cosmjs loads on sign-in, not with the first page.
const connect = () => import("./connect.js");

const routes: [RegExp, Page][] = [
  [/^\/?$/, creatorsPage],
  [/^\/creators\/([^/]+)$/, creatorPage],
  [/^\/chat\/([^/]+)$/, chatPage],
  [/^\/streams\/([^/]+)$/, streamPage],
  [/^\/auctions$/, auctionsPage],
  [/^\/auctions\/([^/]+)$/, auctionPage],
];

let leave: AbortController | undefined;

async function route(config: AppConfig, root: HTMLElement) {
  leave?.abort();
  leave = new AbortController();
  const path = decodeURIComponent(location.hash.replace(/^#/, ""));
  const match = routes.map(([pattern, page]) => [pattern.exec(path), page] as const).find(([m]) => m);
  replace(root);
  if (!match) {
    replace(root, el("p", {}, "No such page. ", el("a", { href: "#/" }, "See the creators.")));
    return;
  }
  const [found, page] = match;
  try {
    await page({ config, api: publicApi(config), root, signal: leave.signal }, ...found!.slice(1));
  } catch (error) {
    root.append(el("p", { class: "error", role: "alert" }, errorText(error)));
  }
}

function renderWallet(config: AppConfig, bar: HTMLElement) {
  const signedIn = wallet();
  if (signedIn) {
    replace(
      bar,
      signedIn.kind === "development" ? el("span", { class: "dev" }, "development wallet") : null,
      el("span", { "data-testid": "signed-in", title: signedIn.address }, shortAddress(signedIn.address)),
      el("button", { onclick: () => signOut() }, "Sign out"),
    );
    return;
  }
  const status = el("span");
  const keplr = el("button", {}, "Sign in with Keplr");
  keplr.addEventListener("click", () => busy(keplr, status, async () => (await connect()).signInWithKeplr(config)));
  const parts: (Node | null)[] = [window.keplr ? keplr : null];
  if (config.devMnemonic) {
    // Development only: the mnemonic is the stack's public test mnemonic.
    const index = el("input", {
      type: "number",
      min: 0,
      value: config.devFirstAccount ?? 0,
      "aria-label": "account index",
      style: "width: 4rem",
    });
    const dev = el("button", { "data-testid": "dev-sign-in" }, "Sign in (development wallet)");
    dev.addEventListener("click", () => busy(dev, status, async () => (await connect()).signInWithDevAccount(config, Number(index.value))));
    parts.push(el("span", { class: "dev" }, "development only"), index, dev);
  }
  replace(bar, ...parts, status);
}

async function start() {
  const root = document.getElementById("page")!;
  const bar = document.getElementById("wallet")!;
  let config: AppConfig;
  try {
    config = await loadConfig();
  } catch (error) {
    replace(root, el("p", { class: "error", role: "alert" }, errorText(error)));
    return;
  }
  if (remembered()) {
    try {
      await (await connect()).restoreWallet(config);
    } catch (error) {
      remember(undefined);
      console.warn("could not sign in again", error);
    }
  }
  renderWallet(config, bar);
  onWalletChange(() => {
    renderWallet(config, bar);
    void route(config, root); // pages show what the session may do
  });
  window.addEventListener("hashchange", () => void route(config, root));
  await route(config, root);
}

void start();
