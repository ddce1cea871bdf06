// ADR-036 login to the indexer (indexer/src/api/routes/auth/):
//   1. POST /auth/nonce {address} -> {nonce, message, sign_doc, expires_at}
//   2. the wallet signs `message` with ADR-036: the amino sign doc below, sha256 of its sorted
//      JSON, secp256k1 (Keplr's `signArbitrary`, or `signAmino` of any OfflineAminoSigner)
//   3. POST /auth/login {address, pub_key, signature, nonce} -> {token, address, expires_at}
// The token is then sent as `Authorization: Bearer <token>` (see createApiClient's `token`).
import {
  makeSignDoc,
  serializeSignDoc,
  type OfflineAminoSigner,
  type StdSignDoc,
  type StdSignature,
} from "@cosmjs/amino";
import { fromUtf8, toBase64, toUtf8 } from "@cosmjs/encoding";

import type { ApiClient, ApiSchema } from "./api/client.js";

export type LoginResponse = ApiSchema<"LoginResponse">;
export type NonceResponse = ApiSchema<"NonceResponse">;

/** The ADR-036 sign doc for `signer` signing the text `message`, as the indexer verifies it. */
export function adr036SignDoc(signer: string, message: string | Uint8Array): StdSignDoc {
  const data = typeof message === "string" ? toUtf8(message) : message;
  return makeSignDoc(
    [{ type: "sign/MsgSignData", value: { signer, data: toBase64(data) } }],
    { gas: "0", amount: [] },
    "",
    "",
    0,
    0,
  );
}

/** The exact text the wallet signs (sha256 of its bytes): what the server's `sign_doc` is. */
export function adr036SignBytes(signer: string, message: string | Uint8Array): string {
  return fromUtf8(serializeSignDoc(adr036SignDoc(signer, message)));
}

/** A wallet with ADR-036 `signArbitrary`, e.g. `keplrSigner(window.keplr, chainId, address)`. */
export interface ArbitrarySigner {
  address: string;
  signArbitrary(signer: string, data: string): Promise<StdSignature>;
}

/** The part of Keplr's (or Leap's, Cosmostation's) API that `keplrSigner` uses. */
export interface KeplrLike {
  signArbitrary(chainId: string, signer: string, data: string | Uint8Array): Promise<StdSignature>;
}

export function keplrSigner(keplr: KeplrLike, chainId: string, address: string): ArbitrarySigner {
  return { address, signArbitrary: (signer, data) => keplr.signArbitrary(chainId, signer, data) };
}

export type LoginSigner = OfflineAminoSigner | ArbitrarySigner;

function isArbitrary(signer: LoginSigner): signer is ArbitrarySigner {
  return typeof (signer as ArbitrarySigner).signArbitrary === "function";
}

/** Signs the login `message` as `address` with either kind of signer. */
export async function signLoginMessage(
  signer: LoginSigner,
  address: string,
  message: string,
): Promise<StdSignature> {
  if (isArbitrary(signer)) return signer.signArbitrary(address, message);
  const { signature } = await signer.signAmino(address, adr036SignDoc(address, message));
  return signature;
}

export class LoginError extends Error {
  constructor(
    message: string,
    readonly status?: number,
    readonly body?: unknown,
  ) {
    super(message);
    this.name = "LoginError";
  }
}

/**
 * Signs in `address` (default: the signer's first account) and returns the session:
 * `const { token } = await login(api, wallet)`, then `createApiClient(url, { token })`.
 */
export async function login(
  api: ApiClient,
  signer: LoginSigner,
  options: { address?: string } = {},
): Promise<LoginResponse> {
  const address =
    options.address ??
    (isArbitrary(signer) ? signer.address : (await signer.getAccounts())[0]?.address);
  if (!address) throw new LoginError("the signer has no account");

  const nonce = await api.POST("/auth/nonce", { body: { address } });
  if (!nonce.data) {
    throw new LoginError(`POST /auth/nonce failed (${nonce.response.status})`, nonce.response.status, nonce.error);
  }
  const { message } = nonce.data;
  // The server states what it will verify; a mismatch means this SDK and the server disagree.
  if (nonce.data.sign_doc !== adr036SignBytes(address, message)) {
    throw new LoginError("the server's sign_doc is not the ADR-036 doc of its message");
  }
  const signature = await signLoginMessage(signer, address, message);
  const session = await api.POST("/auth/login", {
    body: {
      address,
      pub_key: { type: signature.pub_key.type, value: signature.pub_key.value },
      signature: signature.signature,
      nonce: nonce.data.nonce,
    },
  });
  if (!session.data) {
    throw new LoginError(`POST /auth/login failed (${session.response.status})`, session.response.status, session.error);
  }
  return session.data;
}
