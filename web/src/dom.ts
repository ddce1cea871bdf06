// A few DOM helpers. Text always goes in as text nodes, never as HTML, since most of what
// the app shows (names, bios, messages) comes from strangers.

type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, string | number | boolean | ((event: Event) => void) | undefined>;

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    if (typeof value === "function") node.addEventListener(name.replace(/^on/, ""), value);
    else if (value === true) node.setAttribute(name, "");
    else node.setAttribute(name, String(value));
  }
  append(node, ...children);
  return node;
}

export function append(parent: Node, ...children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === "object" ? child : document.createTextNode(String(child)));
  }
}

export function replace(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, ...children);
}

/** A section with a heading; its body is filled later. */
export function section(title: string, testId: string): { root: HTMLElement; body: HTMLElement } {
  const body = el("div");
  const root = el("section", { "data-testid": testId }, el("h2", {}, title), body);
  return { root, body };
}

/** Runs `action` for a button, disabling it meanwhile and showing a failure under `status`. */
export async function busy(button: HTMLButtonElement, status: Element, action: () => Promise<void>): Promise<void> {
  button.disabled = true;
  replace(status);
  try {
    await action();
  } catch (error) {
    replace(status, el("span", { class: "error", role: "alert" }, errorText(error)));
  } finally {
    button.disabled = false;
  }
}

export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
