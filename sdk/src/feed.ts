// The indexer's live feeds (indexer/src/api/routes/feeds/live.rs): Server-Sent Events named
// `feed`, data a FeedItem, id the item's position `<height>-<seq>`. A client that reconnects
// with `Last-Event-ID` (or `?after=` on the first connection) gets every item after that
// position, then live ones, with no gap and no duplicate. `liveFeed` does that reconnecting.
import type { ApiSchema } from "./api/client.js";

export type FeedItem = ApiSchema<"FeedItem">;

/** The live feed routes. */
export const feedPaths = {
  global: "/feed/live",
  creator: (address: string) => `/creators/${encodeURIComponent(address)}/feed/live`,
  fan: (address: string) => `/fans/${encodeURIComponent(address)}/feed/live`,
} as const;

/** One Server-Sent Event as dispatched (see the WHATWG "event stream interpretation"). */
export interface SseEvent {
  event: string;
  data: string;
  /** The last event id seen on the stream at this event ("" when none). */
  id: string;
  /** A `retry:` field, when this event carried one. */
  retry?: number;
}

/** An incremental text/event-stream parser: push decoded text, get complete events. */
export class SseParser {
  private buffer = "";
  private data: string[] = [];
  private event = "";
  private retry: number | undefined;
  /** Persists across events, as EventSource's last event ID does. */
  lastEventId = "";

  push(text: string): SseEvent[] {
    this.buffer += text;
    const out: SseEvent[] = [];
    for (;;) {
      const match = /\r\n|\r|\n/.exec(this.buffer);
      // A lone trailing "\r" may be the first half of "\r\n": wait for more.
      if (!match || (match[0] === "\r" && match.index === this.buffer.length - 1)) break;
      const line = this.buffer.slice(0, match.index);
      this.buffer = this.buffer.slice(match.index + match[0].length);
      const event = this.line(line);
      if (event) out.push(event);
    }
    return out;
  }

  private line(line: string): SseEvent | undefined {
    if (line === "") {
      const retry = this.retry;
      this.retry = undefined;
      if (this.data.length === 0) {
        this.event = "";
        return undefined;
      }
      const event: SseEvent = {
        event: this.event || "message",
        data: this.data.join("\n"),
        id: this.lastEventId,
        ...(retry !== undefined ? { retry } : {}),
      };
      this.data = [];
      this.event = "";
      return event;
    }
    if (line.startsWith(":")) return undefined;
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    switch (field) {
      case "data":
        this.data.push(value);
        break;
      case "event":
        this.event = value;
        break;
      case "id":
        if (!value.includes("\0")) this.lastEventId = value;
        break;
      case "retry":
        if (/^\d+$/.test(value)) this.retry = Number(value);
        break;
    }
    return undefined;
  }
}

export class FeedError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly body: string,
  ) {
    super(message);
    this.name = "FeedError";
  }
}

export interface LiveFeedOptions {
  /** Resume after this position (`<height>-<seq>`) on the first connection. */
  after?: string;
  /** Comma-separated kinds to keep (the route's `kind`). */
  kind?: string;
  /** Stop: aborting ends the iteration without an error. */
  signal?: AbortSignal;
  /** Milliseconds before reconnecting after the stream ended or failed (default 1000; a
   * `retry:` field from the server replaces it). */
  retryMs?: number;
  /** Reconnect attempts in a row without receiving an item before giving up (default: no limit). */
  maxRetries?: number;
  headers?: Record<string, string>;
  fetch?: typeof globalThis.fetch;
}

export interface LiveFeedEvent {
  /** The item's position: pass it as `after` to resume later. */
  id: string;
  item: FeedItem;
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });

/**
 * Every item of a live feed, reconnecting (with `Last-Event-ID`) whenever the stream ends or
 * fails: `for await (const { id, item } of liveFeed(url, feedPaths.global)) { ... }`.
 * A 410 (`replay_too_long`) or another 4xx ends it with a FeedError; 429 and 503 are retried
 * after their Retry-After.
 */
export async function* liveFeed(
  baseUrl: string,
  path: string,
  options: LiveFeedOptions = {},
): AsyncGenerator<LiveFeedEvent, void, undefined> {
  const doFetch = options.fetch ?? globalThis.fetch;
  let lastId = options.after;
  let retryMs = options.retryMs ?? 1000;
  let failures = 0;
  const { signal } = options;

  while (!signal?.aborted) {
    const url = new URL(baseUrl.replace(/\/+$/, "") + path);
    if (options.kind) url.searchParams.set("kind", options.kind);
    const headers: Record<string, string> = { accept: "text/event-stream", ...options.headers };
    if (lastId) headers["last-event-id"] = lastId;

    // One controller per connection, so that leaving the loop closes the connection too.
    const connection = new AbortController();
    const abort = () => connection.abort();
    signal?.addEventListener("abort", abort, { once: true });
    let wait = retryMs;
    try {
      const response = await doFetch(url, { headers, signal: connection.signal });
      if (!response.ok) {
        const body = await response.text().catch(() => "");
        if (response.status === 429 || response.status === 503) {
          const after = Number(response.headers.get("retry-after"));
          wait = Number.isFinite(after) && after > 0 ? after * 1000 : retryMs;
        } else if (response.status >= 400 && response.status < 500) {
          throw new FeedError(`GET ${path}: ${response.status} ${body}`, response.status, body);
        }
      } else if (response.body) {
        const parser = new SseParser();
        parser.lastEventId = lastId ?? "";
        const decoder = new TextDecoder();
        // A reader rather than async iteration of the body, which not every browser has.
        const reader = response.body.getReader();
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          for (const event of parser.push(decoder.decode(value, { stream: true }))) {
            if (event.retry !== undefined) retryMs = event.retry;
            if (event.event !== "feed") continue;
            lastId = event.id;
            failures = 0;
            yield { id: event.id, item: JSON.parse(event.data) as FeedItem };
          }
        }
      }
    } catch (error) {
      if (error instanceof FeedError) throw error;
      if (signal?.aborted) return;
      // A network error or a dropped stream: reconnect below.
    } finally {
      signal?.removeEventListener("abort", abort);
      connection.abort();
    }
    failures += 1;
    if (options.maxRetries !== undefined && failures > options.maxRetries) {
      throw new FeedError(`GET ${path}: gave up after ${options.maxRetries} reconnects`, 0, "");
    }
    await sleep(wait, signal);
  }
}
