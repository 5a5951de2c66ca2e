import { describe, expect, it } from "vitest";
import { DomainError } from "../errors.js";
import {
  addressBytes,
  base64NoPad,
  classifyHash,
  isBlockKey,
  parseEncodedArgon2id,
  saltMatchesAccount,
} from "./block-hash.js";

const SALT = "KsnenUlEWaso/QnxAFbPodTGr0A"; // 0x2ac9de9d494459ab28fd09f10056cfa1d4c6af40
const PURE = "zrWary579C76CKmrZivYwzsuB+otb4wXEN11Zlgqc4e61H17MvLGTwc6XMh0WnprVYCRyW/6Ff6SNji1srn+hw";
const encoded = (m: string | number = 1727, salt = SALT, pure = PURE) =>
  `$argon2id$v=19$m=${m},t=1,p=1$${salt}$${pure}`;

describe("parseEncodedArgon2id", () => {
  it("splits the §8 format", () => {
    expect(parseEncodedArgon2id(encoded())).toEqual({ memoryKiB: 1727, saltB64: SALT, hashedPure: PURE });
    expect(parseEncodedArgon2id(encoded(8))?.memoryKiB).toBe(8);
    expect(parseEncodedArgon2id(encoded(42069))?.memoryKiB).toBe(42069);
  });

  it.each([
    ["empty", ""],
    ["argon2i", encoded().replace("argon2id", "argon2i")],
    ["argon2d", encoded().replace("argon2id", "argon2d")],
    ["v=16", encoded().replace("v=19", "v=16")],
    ["t=2", encoded().replace("t=1", "t=2")],
    ["p=2", encoded().replace("p=1", "p=2")],
    ["no m", encoded("")],
    ["negative m", encoded("-1")],
    ["hex m", encoded("0x10")],
    ["m too large for a number", encoded("9".repeat(20))],
    ["26-char salt", encoded(1727, SALT.slice(1))],
    ["28-char salt", encoded(1727, `${SALT}A`)],
    ["padded salt", encoded(1727, `${SALT.slice(1)}=`)],
    ["url-safe salt", encoded(1727, SALT.replace("/", "_"))],
    ["85-char hash", encoded(1727, SALT, PURE.slice(1))],
    ["87-char hash", encoded(1727, SALT, `${PURE}A`)],
    ["padded hash", encoded(1727, SALT, `${PURE.slice(2)}==`)],
    ["trailing newline", `${encoded()}\n`],
    ["leading space", ` ${encoded()}`],
    ["hex digest", "a".repeat(128)],
    ["missing segment", `$argon2id$v=19$m=1727,t=1,p=1$${PURE}`],
  ])("refuses %s", (_label, hash) => {
    expect(parseEncodedArgon2id(hash)).toBeNull();
  });
});

describe("base64NoPad", () => {
  it.each([
    ["", ""],
    ["f", "Zg"],
    ["fo", "Zm8"],
    ["foo", "Zm9v"],
    ["foob", "Zm9vYg"],
    ["fooba", "Zm9vYmE"],
    ["foobar", "Zm9vYmFy"],
  ])("RFC 4648 vector %j", (text, expected) => {
    expect(base64NoPad(new TextEncoder().encode(text))).toBe(expected);
  });

  it("uses the standard alphabet (+ and /)", () => {
    expect(base64NoPad(new Uint8Array([0xfb, 0xff, 0xbf]))).toBe("+/+/");
    expect(base64NoPad(new Uint8Array([0, 0, 0]))).toBe("AAAA");
  });
});

describe("addressBytes / saltMatchesAccount", () => {
  it("decodes 20 address bytes in any case", () => {
    const bytes = addressBytes("0x2ac9de9d494459ab28fd09f10056cfa1d4c6af40");
    expect(bytes).toHaveLength(20);
    expect(bytes?.[0]).toBe(0x2a);
    expect(bytes?.[19]).toBe(0x40);
    expect(addressBytes("0x2ac9de9d494459AB28fd09F10056cfA1d4C6Af40")).toEqual(bytes);
  });

  it.each([
    "",
    "0x",
    "2ac9de9d494459ab28fd09f10056cfa1d4c6af40",
    "0x2ac9",
    "0X2ac9de9d494459ab28fd09f10056cfa1d4c6af40",
    "0x2ac9de9d494459ab28fd09f10056cfa1d4c6af4g",
    "0x2ac9de9d494459ab28fd09f10056cfa1d4c6af4000",
  ])("refuses address %j", (account) => {
    expect(addressBytes(account)).toBeNull();
    expect(saltMatchesAccount(SALT, account)).toBe(false);
  });

  it("matches the salt segment case-insensitively on the account hex", () => {
    expect(saltMatchesAccount(SALT, "0x2ac9de9d494459ab28fd09f10056cfa1d4c6af40")).toBe(true);
    expect(saltMatchesAccount(SALT, "0x2ac9de9d494459AB28fd09F10056cfA1d4C6Af40")).toBe(true);
    expect(saltMatchesAccount(SALT, "0x2AC9DE9D494459AB28FD09F10056CFA1D4C6AF40")).toBe(true);
  });

  it("is exact on the base64 (case-sensitive, canonical)", () => {
    expect(saltMatchesAccount(SALT.toLowerCase(), "0x2ac9de9d494459ab28fd09f10056cfa1d4c6af40")).toBe(false);
    // Same 20 bytes, but the 2 spare bits of the last character set: not what the worker writes.
    expect(saltMatchesAccount(`${SALT.slice(0, -1)}B`, "0x2ac9de9d494459ab28fd09f10056cfa1d4c6af40")).toBe(
      false,
    );
    expect(saltMatchesAccount(SALT, "0x2ac9de9d494459ab28fd09f10056cfa1d4c6af41")).toBe(false);
    expect(saltMatchesAccount("", "0x2ac9de9d494459ab28fd09f10056cfa1d4c6af40")).toBe(false);
  });
});

describe("classifyHash", () => {
  const filler = (n: number) => "a".repeat(n);

  it("normal: contains the marker", () => {
    expect(classifyHash(`${filler(40)}XEN11${filler(41)}`)).toBe("normal");
    expect(classifyHash(PURE)).toBe("normal");
  });

  it("super: marker and at least 50 uppercase letters (the marker's own letters count)", () => {
    const upper47 = "B".repeat(47);
    expect(classifyHash(`XEN11${upper47}`)).toBe("super"); // 3 + 47 = 50
    expect(classifyHash(`XEN11${"B".repeat(46)}`)).toBe("normal"); // 49
    expect(classifyHash(`XEN11${"B".repeat(46)}é`)).toBe("normal"); // only A–Z count
  });

  it("xuni: XUNI followed by a digit, only without the marker", () => {
    expect(classifyHash(`${filler(10)}XUNI7${filler(10)}`)).toBe("xuni");
    expect(classifyHash("XUNI0")).toBe("xuni");
    expect(classifyHash(`XUNIx${filler(10)}`)).toBe("none");
    expect(classifyHash("xuni1")).toBe("none");
    expect(classifyHash("XUNI")).toBe("none");
    expect(classifyHash("XEN11XUNI1")).toBe("normal"); // checked in order: the marker wins
    expect(classifyHash(`XEN11XUNI1${"B".repeat(50)}`)).toBe("super");
  });

  it("none otherwise", () => {
    expect(classifyHash("")).toBe("none");
    expect(classifyHash("B".repeat(86))).toBe("none"); // many uppercase letters but no marker
    expect(classifyHash("xen11")).toBe("none");
    expect(classifyHash("XEN1")).toBe("none");
  });

  it("uses a test-fleet marker instead of XEN11", () => {
    expect(classifyHash("abcXNdef", "XN")).toBe("normal");
    expect(classifyHash("abcXEN11def", "XN")).toBe("none");
    expect(classifyHash("abcXUNI3", "XN")).toBe("xuni");
    expect(classifyHash(`XN${"B".repeat(48)}`, "XN")).toBe("super");
    expect(() => classifyHash("anything", "")).toThrow(DomainError);
  });
});

describe("isBlockKey", () => {
  it("wants exactly 64 hex", () => {
    expect(isBlockKey("0baa4a90372c24cf5e0c7d2b91a4f3086c1de7b24a9f05c3318e6d7a2b4c90f1")).toBe(true);
    expect(isBlockKey("0BAA4A90372C24CF5E0C7D2B91A4F3086C1DE7B24A9F05C3318E6D7A2B4C90F1")).toBe(true);
    expect(isBlockKey("a".repeat(63))).toBe(false);
    expect(isBlockKey("a".repeat(65))).toBe(false);
    expect(isBlockKey(`${"a".repeat(63)}g`)).toBe(false);
    expect(isBlockKey(`0x${"a".repeat(62)}`)).toBe(false);
    expect(isBlockKey("")).toBe(false);
    expect(isBlockKey(`${"a".repeat(64)}\n`)).toBe(false);
  });
});
