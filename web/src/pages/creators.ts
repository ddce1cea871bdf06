// The creators list: a search on display names and the two orders the API offers.
import { el, errorText, replace, section } from "../dom.js";
import type { Page } from "../page.js";

export const creatorsPage: Page = async ({ api, root }) => {
  const list = section("Creators", "creators");
  const search = el("input", { type: "text", placeholder: "Search by name", "aria-label": "search", maxlength: 64 });
  const sort = el("select", { "aria-label": "sort" }, el("option", { value: "recent" }, "Recent activity"), el("option", { value: "name" }, "Name"));
  const items = el("ul", { class: "plain" });
  root.append(el("form", { onsubmit: (e: Event) => e.preventDefault() }, search, sort), list.root);
  list.body.append(items);

  // Typing sends a request per key: only the latest answer is shown, whatever order they come in.
  let latest = 0;
  async function load() {
    const mine = ++latest;
    const q = search.value.trim() || undefined;
    const { data, error } = await api.GET("/creators", {
      params: { query: { q, sort: sort.value as "recent" | "name", limit: 50 } },
    });
    if (mine !== latest) return;
    if (!data) {
      replace(items, el("li", { class: "error", role: "alert" }, error?.error.message ?? "could not load the creators"));
      return;
    }
    replace(
      items,
      ...data.items.map((creator) =>
        el(
          "li",
          {},
          el("a", { href: `#/creators/${creator.address}` }, creator.display_name),
          " ",
          el("span", { class: "muted" }, `chat: ${creator.chat_rule_text}`),
        ),
      ),
      data.items.length === 0 ? el("li", { class: "muted" }, "No creator matches.") : null,
    );
  }
  const reload = () => load().catch((e: unknown) => replace(items, el("li", { class: "error", role: "alert" }, errorText(e))));
  search.addEventListener("input", reload);
  sort.addEventListener("change", reload);
  await load();
};
