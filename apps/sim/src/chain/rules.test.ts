import { describe, expect, it } from "vitest";
import {
  classifySubmittedHash,
  difficultyAfterAccepting,
  isInXuniWindow,
  MAX_DIFFICULTY,
  MIN_DIFFICULTY,
  raisedDifficulty,
} from "./rules.js";

describe("difficulty", () => {
  it("rises by floor(x1.05), clamped to [100, 100000]", () => {
    expect(raisedDifficulty(1727)).toBe(1813);
    expect(raisedDifficulty(2000)).toBe(2100); // exact products stay exact
    expect(raisedDifficulty(8)).toBe(MIN_DIFFICULTY);
    expect(raisedDifficulty(99_000)).toBe(MAX_DIFFICULTY);
    expect(raisedDifficulty(MAX_DIFFICULTY)).toBe(MAX_DIFFICULTY);
  });

  it("moves only on every 50th accepted block", () => {
    expect(difficultyAfterAccepting(1727, 49)).toBe(1727);
    expect(difficultyAfterAccepting(1727, 50)).toBe(1813);
    expect(difficultyAfterAccepting(1813, 51)).toBe(1813);
    expect(difficultyAfterAccepting(1813, 100)).toBe(1903);
    expect(difficultyAfterAccepting(1727, 0)).toBe(1727);
  });
});

describe("isInXuniWindow", () => {
  const at = (minute: number) => Date.UTC(2026, 10, 27, 14, minute, 30);
  it("is open in minutes 0-4 and 55-59 only", () => {
    for (const minute of [0, 3, 4, 55, 57, 59]) expect(isInXuniWindow(at(minute)), `${minute}`).toBe(true);
    for (const minute of [5, 23, 30, 54]) expect(isInXuniWindow(at(minute)), `${minute}`).toBe(false);
  });
});

describe("classifySubmittedHash", () => {
  const salt = "KsnenUlEWaso/QnxAFbPodTGr0A"; // contains no marker, so only the hash segment may count
  const encoded = (segment: string) => `$argon2id$v=19$m=1727,t=1,p=1$${salt}$${segment}`;

  it("classifies the hash segment of an encoded string", () => {
    expect(classifySubmittedHash(encoded(`${"a".repeat(40)}XEN11${"b".repeat(41)}`), "XEN11")).toBe("normal");
    expect(classifySubmittedHash(encoded(`XEN11${"A".repeat(50)}${"b".repeat(31)}`), "XEN11")).toBe("super");
    expect(classifySubmittedHash(encoded(`${"a".repeat(40)}XUNI7${"b".repeat(41)}`), "XEN11")).toBe("xuni");
    expect(classifySubmittedHash(encoded("a".repeat(86)), "XEN11")).toBe("none");
  });

  it("counts uppercase letters in the hash segment only, not in the prefix or salt", () => {
    // 49 uppercase letters in the segment; the salt and "$argon2id$" add more that must not count.
    const segment = `XEN11${"A".repeat(46)}${"b".repeat(35)}`;
    expect(classifySubmittedHash(encoded(segment), "XEN11")).toBe("normal");
  });

  it("classifies the whole string when it is not an encoded Argon2id hash", () => {
    expect(classifySubmittedHash("plainXEN11hash", "XEN11")).toBe("normal");
    expect(classifySubmittedHash("plainXUNI1hash", "XEN11")).toBe("xuni");
    expect(classifySubmittedHash("plain hash", "XEN11")).toBe("none");
  });

  it("uses the configured marker instead of XEN11", () => {
    expect(classifySubmittedHash(encoded(`${"a".repeat(40)}XN${"b".repeat(44)}`), "XN")).toBe("normal");
    expect(classifySubmittedHash(encoded(`${"a".repeat(40)}XEN11${"b".repeat(41)}`), "ZZ")).toBe("none");
  });
});
