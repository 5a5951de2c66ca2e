import { describe, expect, it } from "vitest";
import { isAddress, shortAddress, toChecksumAddress } from "./address.js";
import { classifySearch } from "./search.js";

describe("addresses", () => {
  it("checksums per EIP-55 (the EIP's own vectors)", () => {
    for (const a of [
      "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
      "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
      "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
      "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
    ]) {
      expect(toChecksumAddress(a.toLowerCase())).toBe(a);
    }
  });
  it("shortens to 0x1234…abcd in EIP-55", () => {
    expect(shortAddress("0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed")).toBe("0x5aAe…eAed");
    expect(isAddress("0x123")).toBe(false);
  });
});

describe("global search", () => {
  it("routes addresses, lease ids and worker ids", () => {
    expect(classifySearch(" 0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed ")).toEqual({
      kind: "address",
      address: "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
    });
    expect(classifySearch("lease-0190f5a2-1c2b-7def-8000-000000000001")).toEqual({
      kind: "lease",
      leaseId: "lease-0190f5a2-1c2b-7def-8000-000000000001",
    });
    expect(classifySearch("a1b2c3d4e5f60718")).toEqual({ kind: "worker", workerId: "a1b2c3d4e5f60718" });
    expect(classifySearch("   ")).toEqual({ kind: "none" });
    expect(classifySearch("not an id!")).toEqual({ kind: "none" });
  });
});
