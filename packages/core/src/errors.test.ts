import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ERROR_CODES } from "./errors.js";

const API_SPEC = new URL("../../../../shared/spec/api.md", import.meta.url);

describe("error codes", () => {
  it("are exactly the app codes api.md §1 lists: a client never meets a code the spec does not name", () => {
    const row = readFileSync(API_SPEC, "utf8")
      .split("\n")
      .find((line) => line.startsWith("| Errors |"));
    expect(row).toBeDefined();
    const listed = [...row!.matchAll(/`([A-Z_]+)`/g)].map((m) => m[1]);
    expect(listed.length).toBeGreaterThan(10);
    expect([...ERROR_CODES].sort()).toEqual([...new Set(listed)].sort());
  });
});
