import { describe, expect, it } from "vitest";
import { checksumAddress } from "./serialize.js";

describe("checksumAddress (EIP-55)", () => {
  it.each([
    // The addresses of the shared vectors, as the worker and the spec spell them.
    "0x8d56DA55A9D91b40AfF945714b19E9DfDE32D9C2",
    "0x2ac9de9d494459AB28fd09F10056cfA1d4C6Af40",
    "0xA72B7D608c51B0FB4E21B75f37a41A3324f846a7",
    // From EIP-55 itself.
    "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
    "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
  ])("spells %s", (address) => {
    expect(checksumAddress(address.toLowerCase())).toBe(address);
    expect(checksumAddress(address.toUpperCase().replace("0X", "0x"))).toBe(address);
  });
});
