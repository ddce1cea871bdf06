import assert from "node:assert/strict";
import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { test } from "node:test";

import { FeedError, feedPaths, liveFeed, SseParser } from "../src/index.js";

test("the parser handles split chunks, CRLF, comments, multi-line data and ids", () => {
  const p = new SseParser();
  assert.deepEqual(p.push(": keep-alive\r\nevent: feed\r\nid: 10-0\r\nda"), []);
  assert.deepEqual(p.push('ta: {"a":\r\ndata: 1}\r'), []);
  const [event] = p.push("\n\r\n");
  assert.deepEqual(event, { event: "feed", data: '{"a":\n1}', id: "10-0" });
  // id persists; default event name is "message"; retry is reported
  assert.deepEqual(p.push("retry: 250\ndata:x\n\n"), [{ event: "message", data: "x", id: "10-0", retry: 250 }]);
  // an event with no data is not dispatched
  assert.deepEqual(p.push("event: feed\nid: 11-0\n\n"), []);
  assert.equal(p.lastEventId, "11-0");
});

const item = (id: string) => ({ id, kind: "tip", contract: "wasm1tips", event_type: "mesi.tip.v1", height: 1, fields: {} });

function sse(res: ServerResponse, ids: string[]) {
  for (const id of ids) res.write(`event: feed\nid: ${id}\ndata: ${JSON.stringify(item(id))}\n\n`);
}

test("liveFeed resumes with Last-Event-ID after the stream drops", async () => {
  const seen: Array<string | undefined> = [];
  const urls: string[] = [];
  const server = createServer((req, res) => {
    seen.push(req.headers["last-event-id"] as string | undefined);
    urls.push(req.url!);
    res.writeHead(200, { "content-type": "text/event-stream" });
    res.write(": hello\n\n");
    const last = req.headers["last-event-id"];
    if (!last) sse(res, ["5-0", "5-1"]);
    else if (last === "5-1") sse(res, ["6-0"]);
    else sse(res, ["7-0"]);
    res.end(); // the connection drops after each batch
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    const ids: string[] = [];
    for await (const { id, item } of liveFeed(url, feedPaths.creator("wasm1c"), { retryMs: 5, kind: "tip" })) {
      assert.equal(item.id, id);
      ids.push(id);
      if (ids.length === 4) break;
    }
    assert.deepEqual(ids, ["5-0", "5-1", "6-0", "7-0"]);
    assert.deepEqual(seen, [undefined, "5-1", "6-0"]);
    assert.equal(urls[0], "/creators/wasm1c/feed/live?kind=tip");
  } finally {
    server.closeAllConnections();
    server.close();
  }
});

test("liveFeed starts after `after`, retries 503 after Retry-After and stops on 410", async () => {
  const seen: Array<string | undefined> = [];
  let calls = 0;
  const server = createServer((req, res) => {
    calls += 1;
    seen.push(req.headers["last-event-id"] as string | undefined);
    if (calls === 1) {
      res.writeHead(503, { "retry-after": "0", "content-type": "application/json" });
      return res.end('{"error":"busy"}');
    }
    if (calls === 2) {
      res.writeHead(200, { "content-type": "text/event-stream" });
      sse(res, ["9-0"]);
      return res.end();
    }
    res.writeHead(410, { "content-type": "application/json" });
    res.end('{"error":"replay_too_long"}');
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    const ids: string[] = [];
    await assert.rejects(
      (async () => {
        for await (const { id } of liveFeed(url, feedPaths.global, { after: "8-3", retryMs: 5 })) ids.push(id);
      })(),
      (e: unknown) => e instanceof FeedError && e.status === 410 && e.body.includes("replay_too_long"),
    );
    assert.deepEqual(ids, ["9-0"]);
    assert.deepEqual(seen, ["8-3", "8-3", "9-0"]);
  } finally {
    server.close();
  }
});

test("aborting the signal ends the iteration without an error", async () => {
  const server = createServer((_req, res) => {
    res.writeHead(200, { "content-type": "text/event-stream" });
    sse(res, ["1-0"]);
    // keep the connection open
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const controller = new AbortController();
  try {
    const ids: string[] = [];
    for await (const { id } of liveFeed(url, feedPaths.fan("wasm1f"), { signal: controller.signal })) {
      ids.push(id);
      controller.abort();
    }
    assert.deepEqual(ids, ["1-0"]);
  } finally {
    server.closeAllConnections();
    server.close();
  }
});
