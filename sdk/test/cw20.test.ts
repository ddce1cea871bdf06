import assert from "node:assert/strict";
import { test } from "node:test";

import { fromBase64, fromUtf8 } from "@cosmjs/encoding";
import { MsgExecuteContract } from "cosmjs-types/cosmwasm/wasm/v1/tx.js";

import { cw20SendExecute, cw20SendMsg, decodeHookMsg, type Subscriptions, type Tips } from "../src/index.js";

test("cw20SendMsg carries the hook as base64 JSON and round-trips", () => {
  const hook: Tips.HookMsg = { tip: { creator: "wasm1creator", context: { stream: { id: "s1" } }, anonymous: false, message: "gm" } };
  const msg = cw20SendMsg("wasm1tips", 1500n, hook);
  assert.equal(msg.send.contract, "wasm1tips");
  assert.equal(msg.send.amount, "1500");
  assert.deepEqual(JSON.parse(fromUtf8(fromBase64(msg.send.msg))), hook);
  assert.deepEqual(decodeHookMsg<Tips.HookMsg>(msg.send.msg), hook);
});

test("amounts are Uint128 strings and must be positive", () => {
  const hook: Subscriptions.HookMsg = { extend: { creator: "c", periods: 2, max_price_per_period: "10" } };
  assert.equal(cw20SendMsg("x", "340282366920938463463374607431768211455", hook).send.amount, "340282366920938463463374607431768211455");
  assert.throws(() => cw20SendMsg("x", 0, hook), RangeError);
});

test("cw20SendExecute executes Send on the token contract", () => {
  const hook: Tips.HookMsg = { tip: { creator: "c", context: "profile", anonymous: true } };
  const obj = cw20SendExecute("wasm1fan", "wasm1token", "wasm1tips", "7", hook);
  assert.equal(obj.typeUrl, "/cosmwasm.wasm.v1.MsgExecuteContract");
  assert.equal(obj.value.contract, "wasm1token");
  assert.equal(obj.value.sender, "wasm1fan");
  const inner = JSON.parse(fromUtf8(obj.value.msg!));
  assert.deepEqual(inner, cw20SendMsg("wasm1tips", "7", hook));
  // encodes as a protobuf message
  assert.ok(MsgExecuteContract.encode(MsgExecuteContract.fromPartial(obj.value)).finish().length > 0);
});
