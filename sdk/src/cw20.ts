// Paying with a CW20 token: the token contract's `Send {contract, amount, msg}` where `msg` is
// base64 of the receiving contract's hook message (each contract's `HookMsg`, generated from
// schema/<name>/raw/). Example:
//   cw20SendMsg(tipsAddress, "1000", { tip: { creator, context: "profile", anonymous: false } })
// executed on the token contract.
import type { MsgExecuteContractEncodeObject } from "@cosmjs/cosmwasm-stargate";
import { fromBase64, fromUtf8, toBase64, toUtf8 } from "@cosmjs/encoding";
import { MsgExecuteContract } from "cosmjs-types/cosmwasm/wasm/v1/tx.js";

import type * as Meetings from "./contracts/meetings.js";
import type * as Ppv from "./contracts/ppv.js";
import type * as Subscriptions from "./contracts/subscriptions.js";
import type * as Surprises from "./contracts/surprises.js";
import type * as Tips from "./contracts/tips.js";

/** Every hook message a Mesi contract accepts in a CW20 `Send`. */
export type Cw20HookMsg =
  | Tips.HookMsg
  | Subscriptions.HookMsg
  | Ppv.HookMsg
  | Surprises.HookMsg
  | Meetings.HookMsg;

/** The CW20 `ExecuteMsg::Send` (cw20-base). */
export interface Cw20SendMsg {
  send: {
    contract: string;
    /** Uint128 in the token's smallest unit, as a decimal string. */
    amount: string;
    /** base64 of the hook message's JSON. */
    msg: string;
  };
}

export function encodeHookMsg(hook: Cw20HookMsg): string {
  return toBase64(toUtf8(JSON.stringify(hook)));
}

export function decodeHookMsg<H extends Cw20HookMsg = Cw20HookMsg>(msg: string): H {
  return JSON.parse(fromUtf8(fromBase64(msg))) as H;
}

/** The message to execute on the CW20 token contract to pay `contract` with `hook`. */
export function cw20SendMsg<H extends Cw20HookMsg>(
  contract: string,
  amount: string | bigint | number,
  hook: H,
): Cw20SendMsg {
  const value = BigInt(amount);
  if (value <= 0n) throw new RangeError("amount must be greater than zero");
  return { send: { contract, amount: value.toString(), msg: encodeHookMsg(hook) } };
}

/** `cw20SendMsg` as an encode object for `SigningCosmWasmClient.signAndBroadcast`. */
export function cw20SendExecute<H extends Cw20HookMsg>(
  sender: string,
  token: string,
  contract: string,
  amount: string | bigint | number,
  hook: H,
): MsgExecuteContractEncodeObject {
  return {
    typeUrl: "/cosmwasm.wasm.v1.MsgExecuteContract",
    value: MsgExecuteContract.fromPartial({
      sender,
      contract: token,
      msg: toUtf8(JSON.stringify(cw20SendMsg(contract, amount, hook))),
      funds: [],
    }),
  };
}
