// The creators list: a search on display names and the two orders the API offers.
import { el, replace, section } from "../dom.js";
import type { Page } from "../page.js";

export const creatorsPage: Page = async ({ api, root }) => {
  const list = section("Creators", "creators");
  const search = el("input", { type: "text", placeholder: "Search by name", "aria-label": "search", maxlength: 64 });
  const sort = el("select", { "aria-label": "sort" }, el("option", { value: "recent" }, "Recent activity"), el("option", { value: "name" }, "Name"));
  const items = el("ul", { class: "plain" });
  root.append(el("form", { onsubmit: (e: Event) => e.preventDefault() }, search, sort), list.root);
  list.body.append(items);

  async function load() {
    const q = search.value.trim() || undefined;
    const { data, error } = await api.GET("/creators", {
      params: { query: { q, sort: sort.value as "recent" | "name", limit: 50 } },
    });
    if (!data) throw new Error(error?.error.message ?? "could not load the creators");
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
  search.addEventListener("input", () => void load());
  sort.addEventListener("change", () => void load());
  await load();
};
