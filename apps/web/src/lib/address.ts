/** Ethereum addresses as the dashboard shows them: validated, EIP-55 checksummed, shortened. */
import { keccak_256 } from "@noble/hashes/sha3.js";

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;

export function isAddress(text: string): boolean {
  return ADDRESS.test(text);
}

/** EIP-55: hex letters upper-cased where the keccak-256 of the lowercase address has a nibble ≥ 8. */
export function toChecksumAddress(address: string): string {
  if (!isAddress(address)) throw new Error(`not an address: ${address}`);
  const hex = address.slice(2).toLowerCase();
  const hash = keccak_256(new TextEncoder().encode(hex));
  let out = "0x";
  for (let i = 0; i < hex.length; i++) {
    const byte = hash[i >> 1] ?? 0;
    const nibble = i % 2 === 0 ? byte >> 4 : byte & 0xf;
    out += nibble >= 8 ? (hex[i] ?? "").toUpperCase() : hex[i];
  }
  return out;
}

/** `0x1234…abcd` of the EIP-55 form. */
export function shortAddress(address: string): string {
  const checksummed = isAddress(address) ? toChecksumAddress(address) : address;
  return `${checksummed.slice(0, 6)}…${checksummed.slice(-4)}`;
}
