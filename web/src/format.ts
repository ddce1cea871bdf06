// Amounts and assets as people read them. The API gives assets as `native:<denom>` or
// `cw20:<address>` and amounts in the smallest unit as decimal strings.

/** The display name and decimals of an asset: `native:uusdc` is USDC with 6 decimals. */
export function assetUnit(asset: string): { name: string; decimals: number } {
  const [kind, id = ""] = asset.split(":", 2);
  if (kind === "native" && /^u[a-z]+$/.test(id)) return { name: id.slice(1).toUpperCase(), decimals: 6 };
  if (kind === "cw20") return { name: "MESI", decimals: 6 };
  return { name: id, decimals: 0 };
}

export function formatAmount(amount: string | bigint, asset: string): string {
  const { name, decimals } = assetUnit(asset);
  const units = BigInt(amount);
  const scale = 10n ** BigInt(decimals);
  const whole = units / scale;
  const fraction = (units % scale).toString().padStart(decimals, "0").replace(/0+$/, "");
  return `${whole}${fraction ? `.${fraction}` : ""} ${name}`;
}

/** "2.5" USDC to "2500000": refuses more decimals than the asset has. */
export function parseAmount(text: string, asset: string): bigint {
  const { decimals } = assetUnit(asset);
  const match = /^(\d+)(?:\.(\d+))?$/.exec(text.trim());
  if (!match || (match[2] ?? "").length > decimals) throw new Error(`not an amount: ${text}`);
  const units = BigInt(match[1]) * 10n ** BigInt(decimals) + BigInt((match[2] ?? "").padEnd(decimals, "0") || "0");
  if (units === 0n) throw new Error("the amount must be above zero");
  return units;
}

/** The native denom of `native:<denom>`, or undefined for a CW20 asset. */
export function nativeDenom(asset: string): string | undefined {
  return asset.startsWith("native:") ? asset.slice("native:".length) : undefined;
}

export function shortAddress(address: string): string {
  return address.length > 20 ? `${address.slice(0, 10)}…${address.slice(-6)}` : address;
}

export function formatTime(rfc3339: string): string {
  return new Date(rfc3339).toLocaleString();
}
