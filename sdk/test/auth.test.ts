import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { test } from "node:test";

import { pubkeyToAddress, Secp256k1Wallet, serializeSignDoc, type StdSignature } from "@cosmjs/amino";
import { Secp256k1, Secp256k1Signature, sha256 } from "@cosmjs/crypto";
import { fromBase64, toBase64 } from "@cosmjs/encoding";

import {
  adr036SignBytes,
  adr036SignDoc,
  createApiClient,
  keplrSigner,
  login,
  LoginError,
  type ArbitrarySigner,
} from "../src/index.js";

/** What the indexer does (auth/adr036.rs verify_adr036): key is the address's, low-S, verifies. */
async function serverVerifies(address: string, message: string, pubkey: string, signature: string, prefix: string) {
  const key = fromBase64(pubkey);
  if (pubkeyToAddress({ type: "tendermint/PubKeySecp256k1", value: pubkey }, prefix) !== address) return false;
  const sig = Secp256k1Signature.fromFixedLength(fromBase64(signature));
  const digest = sha256(serializeSignDoc(adr036SignDoc(address, message)));
  return Secp256k1.verifySignature(sig, digest, key);
}

const testKey = new Uint8Array(32).fill(0x11); // the indexer's own test key

test("the sign doc bytes are exactly Keplr's (the indexer's fixed vector)", () => {
  const expected =
    '{"account_number":"0","chain_id":"","fee":{"amount":[],"gas":"0"},"memo":"",' +
    '"msgs":[{"type":"sign/MsgSignData","value":{"data":"cmFuZG9t",' +
    '"signer":"osmo1ymk637a7wljvt4w7q9lnrw95mg9sr37yatxd9h"}}],"sequence":"0"}';
  assert.equal(adr036SignBytes("osmo1ymk637a7wljvt4w7q9lnrw95mg9sr37yatxd9h", "random"), expected);
});

test("a real Keplr signArbitrary signature verifies over the sign doc", async () => {
  // From noble-assets/adr36 verify_test.go, also used by the indexer's tests.
  const pubkey = "AlE8CxHR19ID5lxrVtTxSgJFlK3T+eYtyDM/vBA3Fowr";
  const signature = "qe5dDxdOgY8B2LjMqnK5/5iRIFOCwdTu0G5ZQ66bHzVgP15V2Fb+fzOH0wPAUC5GUQ23M1cSvysulzKIbXY/4Q==";
  const address = pubkeyToAddress({ type: "tendermint/PubKeySecp256k1", value: pubkey }, "noble");
  assert.equal(await serverVerifies(address, "I hereby declare that I am the address owner.", pubkey, signature, "noble"), true);
  assert.equal(await serverVerifies(address, "I hereby declare that I am the address owner!", pubkey, signature, "noble"), false);
});

test("an amino wallet's signature of the doc verifies as the server checks it", async () => {
  const wallet = await Secp256k1Wallet.fromKey(testKey, "wasm");
  const [{ address }] = await wallet.getAccounts();
  const message = "Sign in to mesi.test\n\nAddress: " + address + "\nNonce: abc+/=";
  const { signature } = await wallet.signAmino(address, adr036SignDoc(address, message));
  assert.equal(await serverVerifies(address, message, signature.pub_key.value, signature.signature, "wasm"), true);
  assert.equal(await serverVerifies(address, message + ".", signature.pub_key.value, signature.signature, "wasm"), false);
  // low-S, as the server requires
  const sig = Secp256k1Signature.fromFixedLength(fromBase64(signature.signature));
  assert.deepEqual(sig.toFixedLength(), fromBase64(signature.signature));
});

/** A stand-in for the indexer's /auth/nonce and /auth/login that verifies like the real one. */
async function withFakeIndexer(fn: (url: string, logins: unknown[]) => Promise<void>) {
  const logins: unknown[] = [];
  const nonces = new Map<string, string>();
  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    let raw = "";
    for await (const chunk of req) raw += chunk;
    const body = JSON.parse(raw || "{}");
    const reply = (status: number, value: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(value));
    };
    if (req.method === "POST" && req.url === "/auth/nonce") {
      const nonce = `n${nonces.size}`;
      const message = `Sign in to mesi.test\n\nAddress: ${body.address}\nNonce: ${nonce}`;
      nonces.set(nonce, message);
      return reply(200, { nonce, message, sign_doc: adr036SignBytes(body.address, message), expires_at: "2030-01-01T00:00:00Z" });
    }
    if (req.method === "POST" && req.url === "/auth/login") {
      logins.push(body);
      const message = nonces.get(body.nonce);
      nonces.delete(body.nonce);
      const pubkey = body.pubkey ?? body.pub_key?.value;
      if (!message || !(await serverVerifies(body.address, message, pubkey, body.signature, "wasm"))) {
        return reply(401, { error: "unauthorized", message: "signature does not verify" });
      }
      return reply(200, { token: "t0ken", address: body.address, expires_at: "2030-01-01T00:00:00Z" });
    }
    if (req.method === "GET" && req.url === "/auth/session") {
      if (req.headers.authorization !== "Bearer t0ken") return reply(401, { error: "unauthorized" });
      return reply(200, { address: "ok" });
    }
    reply(404, {});
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  try {
    await fn(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, logins);
  } finally {
    server.close();
  }
}

test("login with an amino wallet posts a signature the server accepts, and the token works", async () => {
  await withFakeIndexer(async (url, logins) => {
    const wallet = await Secp256k1Wallet.fromKey(testKey, "wasm");
    const [{ address, pubkey }] = await wallet.getAccounts();
    const session = await login(createApiClient(url), wallet);
    assert.equal(session.token, "t0ken");
    assert.equal(session.address, address);
    const posted = logins[0] as { pub_key: { type: string; value: string }; nonce: string };
    assert.deepEqual(posted.pub_key, { type: "tendermint/PubKeySecp256k1", value: toBase64(pubkey) });
    assert.equal(posted.nonce, "n0");
    const authed = createApiClient(url, { token: session.token });
    const me = await authed.GET("/auth/session");
    assert.equal(me.response.status, 200);
  });
});

test("login with a Keplr-style signArbitrary signer", async () => {
  await withFakeIndexer(async (url) => {
    const wallet = await Secp256k1Wallet.fromKey(testKey, "wasm");
    const [{ address }] = await wallet.getAccounts();
    const calls: string[] = [];
    const keplr = {
      async signArbitrary(chainId: string, signer: string, data: string | Uint8Array): Promise<StdSignature> {
        calls.push(chainId);
        const doc = adr036SignDoc(signer, typeof data === "string" ? data : data);
        return (await wallet.signAmino(signer, doc)).signature;
      },
    };
    const session = await login(createApiClient(url), keplrSigner(keplr, "mesi-1", address));
    assert.equal(session.token, "t0ken");
    assert.deepEqual(calls, ["mesi-1"]);
  });
});

test("a wrong signature is refused with a LoginError carrying the status", async () => {
  await withFakeIndexer(async (url) => {
    const wallet = await Secp256k1Wallet.fromKey(testKey, "wasm");
    const [{ address }] = await wallet.getAccounts();
    const liar: ArbitrarySigner = {
      address,
      signArbitrary: async (signer) => (await wallet.signAmino(signer, adr036SignDoc(signer, "something else"))).signature,
    };
    await assert.rejects(login(createApiClient(url), liar), (e: unknown) => e instanceof LoginError && e.status === 401);
  });
});
