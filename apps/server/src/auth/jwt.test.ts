import { createHmac } from "node:crypto";
import type { SettingsRepo } from "@xenblocks/core";
import { describe, expect, it } from "vitest";
import { JWT_SECRET_SETTING, JWT_TTL_MS, resolveJwtSecret, signJwt, verifyJwt } from "./jwt.js";

const SECRET = "s".repeat(32);
const ADDRESS = "0xd54d06eea11ee23e88352633671d0b0c13c84563";
const NOW = 1_795_737_600_000;

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
const hs256 = (secret: string, input: string) =>
  createHmac("sha256", secret).update(input).digest("base64url");

/** A token with any header and payload, signed with HS256 under `secret`. */
function forge(header: unknown, payload: unknown, secret = SECRET): string {
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${hs256(secret, input)}`;
}

function memorySettings(): SettingsRepo & { values: Map<string, string> } {
  const values = new Map<string, string>();
  return {
    values,
    async get(key) {
      return values.get(key) ?? null;
    },
    async setIfAbsent(key, value) {
      if (!values.has(key)) values.set(key, value);
      return values.get(key) as string;
    },
  };
}

describe("JWT (HS256)", () => {
  it("signs {sub, jti, iat, exp} and verifies it back, for 24 h by default", () => {
    const { token, claims } = signJwt(SECRET, {
      address: ADDRESS.toUpperCase().replace("0X", "0x"),
      now: NOW,
    });
    expect(claims).toEqual({
      sub: ADDRESS,
      jti: expect.stringMatching(/^[0-9a-f-]{36}$/),
      iat: NOW / 1000,
      exp: (NOW + JWT_TTL_MS) / 1000,
    });
    const [header] = token.split(".");
    expect(JSON.parse(Buffer.from(header as string, "base64url").toString())).toEqual({
      alg: "HS256",
      typ: "JWT",
    });
    expect(verifyJwt(SECRET, token, NOW)).toEqual(claims);
    expect(verifyJwt(SECRET, token, NOW + JWT_TTL_MS - 1)).toEqual(claims);
    // A fresh id per token.
    expect(signJwt(SECRET, { address: ADDRESS, now: NOW }).claims.jti).not.toBe(claims.jti);
  });

  it("agrees with an independent HS256 computation", () => {
    const payload = { sub: ADDRESS, jti: "abc", iat: NOW / 1000, exp: NOW / 1000 + 60 };
    expect(verifyJwt(SECRET, forge({ alg: "HS256", typ: "JWT" }, payload), NOW)).toEqual(payload);
    expect(signJwt(SECRET, { address: ADDRESS, now: NOW, ttlMs: 60_000, jti: "abc" }).token).toBe(
      forge({ alg: "HS256", typ: "JWT" }, payload),
    );
  });

  it("refuses a bad signature (another secret, or a changed payload)", () => {
    const { token } = signJwt(SECRET, { address: ADDRESS, now: NOW });
    expect(verifyJwt("t".repeat(32), token, NOW)).toBeNull();
    const [header, , signature] = token.split(".");
    const other = b64({ sub: `0x${"1".repeat(40)}`, jti: "x", iat: NOW / 1000, exp: NOW / 1000 + 60 });
    expect(verifyJwt(SECRET, `${header}.${other}.${signature}`, NOW)).toBeNull();
    const flipped = `${token.slice(0, -1)}${token.endsWith("A") ? "B" : "A"}`;
    expect(verifyJwt(SECRET, flipped, NOW)).toBeNull();
  });

  it("refuses alg none and any alg but HS256", () => {
    const payload = { sub: ADDRESS, jti: "abc", iat: NOW / 1000, exp: NOW / 1000 + 60 };
    expect(verifyJwt(SECRET, `${b64({ alg: "none", typ: "JWT" })}.${b64(payload)}.`, NOW)).toBeNull();
    expect(verifyJwt(SECRET, `${b64({ alg: "none" })}.${b64(payload)}`, NOW)).toBeNull();
    // Even correctly MAC'd: the header is part of the signed input, but its alg must be HS256.
    expect(verifyJwt(SECRET, forge({ alg: "none", typ: "JWT" }, payload), NOW)).toBeNull();
    expect(verifyJwt(SECRET, forge({ alg: "HS512", typ: "JWT" }, payload), NOW)).toBeNull();
    expect(verifyJwt(SECRET, forge({ alg: "HS256", typ: "JWS" }, payload), NOW)).toBeNull();
  });

  it("refuses an expired token", () => {
    const { token } = signJwt(SECRET, { address: ADDRESS, now: NOW, ttlMs: 60_000 });
    expect(verifyJwt(SECRET, token, NOW + 59_999)).not.toBeNull();
    expect(verifyJwt(SECRET, token, NOW + 60_000)).toBeNull();
    expect(verifyJwt(SECRET, token, NOW + JWT_TTL_MS)).toBeNull();
  });

  it("refuses a token issued in the future", () => {
    const { token } = signJwt(SECRET, { address: ADDRESS, now: NOW + 3_600_000 });
    expect(verifyJwt(SECRET, token, NOW)).toBeNull();
  });

  it("returns null, never throws, on garbage", () => {
    const payload = { sub: ADDRESS, jti: "abc", iat: NOW / 1000, exp: NOW / 1000 + 60 };
    const garbage: unknown[] = [
      undefined,
      null,
      42,
      {},
      "",
      "a.b",
      "a.b.c.d",
      "....",
      "###.###.###",
      "e30.e30.e30",
      `${"a".repeat(3000)}.b.c`,
      forge("HS256", payload),
      forge({ alg: "HS256" }, "not an object"),
      forge({ alg: "HS256" }, [payload]),
      forge({ alg: "HS256" }, { ...payload, sub: "someone" }),
      forge({ alg: "HS256" }, { ...payload, sub: ADDRESS.toUpperCase() }),
      forge({ alg: "HS256" }, { ...payload, jti: 7 }),
      forge({ alg: "HS256" }, { ...payload, exp: "never" }),
      forge({ alg: "HS256" }, { ...payload, exp: 1e300 }),
      `${b64({ alg: "HS256" })}.${Buffer.from("{not json").toString("base64url")}.${hs256(SECRET, `${b64({ alg: "HS256" })}.${Buffer.from("{not json").toString("base64url")}`)}`,
    ];
    for (const token of garbage) expect(verifyJwt(SECRET, token, NOW)).toBeNull();
    // The header without `typ` is fine: only `alg` matters.
    expect(verifyJwt(SECRET, forge({ alg: "HS256" }, payload), NOW)).toEqual(payload);
  });

  describe("the secret", () => {
    it("uses the configured secret, 32 characters or more", async () => {
      const settings = memorySettings();
      expect(await resolveJwtSecret({ configured: "c".repeat(40), settings })).toBe("c".repeat(40));
      expect(settings.values.size).toBe(0);
      await expect(resolveJwtSecret({ configured: "short", settings })).rejects.toThrow(/at least 32/);
    });

    it("generates one once and keeps it in settings (a restart reads it back)", async () => {
      const settings = memorySettings();
      const first = await resolveJwtSecret({ settings });
      expect(first).toMatch(/^[0-9a-f]{64}$/);
      expect(settings.values.get(JWT_SECRET_SETTING)).toBe(first);
      expect(await resolveJwtSecret({ settings })).toBe(first);
    });
  });
});
