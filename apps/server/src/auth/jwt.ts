/**
 * Session tokens: HS256 JWTs written by hand with node:crypto (one algorithm, fixed header, so there is
 * no `alg` to negotiate). `verifyJwt` never throws: anything but a valid, unexpired token is null.
 */
import { createHmac, randomBytes, randomUUID, timingSafeEqual } from "node:crypto";
import type { SettingsRepo } from "@xenblocks/core";

export const JWT_TTL_MS = 24 * 3_600_000;
export const MIN_SECRET_LENGTH = 32;
/** The settings key of the generated secret. */
export const JWT_SECRET_SETTING = "jwt_secret";
/** How far in the future a token's `iat` may be (clock drift between instances), seconds. */
const IAT_SKEW_SEC = 60;
const MAX_TOKEN_LENGTH = 2048;
const SEGMENT = /^[A-Za-z0-9_-]+$/;
const LOWER_ADDRESS = /^0x[0-9a-f]{40}$/;

export interface JwtClaims {
  /** Lowercase wallet address. */
  sub: string;
  /** Token id: what logout revokes. */
  jti: string;
  /** Issued at, epoch seconds. */
  iat: number;
  /** Expires at, epoch seconds. */
  exp: number;
}

const HEADER = base64url(JSON.stringify({ alg: "HS256", typ: "JWT" }));

function base64url(text: string | Buffer): string {
  return Buffer.from(text).toString("base64url");
}

function mac(secret: string, signingInput: string): string {
  return createHmac("sha256", secret).update(signingInput).digest("base64url");
}

/** A token for the address, valid `ttlMs` from `now` (epoch ms). */
export function signJwt(
  secret: string,
  input: { address: string; now: number; ttlMs?: number; jti?: string },
): { token: string; claims: JwtClaims } {
  const iat = Math.floor(input.now / 1000);
  const claims: JwtClaims = {
    sub: input.address.toLowerCase(),
    jti: input.jti ?? randomUUID(),
    iat,
    exp: iat + Math.floor((input.ttlMs ?? JWT_TTL_MS) / 1000),
  };
  const signingInput = `${HEADER}.${base64url(JSON.stringify(claims))}`;
  return { token: `${signingInput}.${mac(secret, signingInput)}`, claims };
}

/** The claims of a valid HS256 token not expired at `now` (epoch ms), else null. */
export function verifyJwt(secret: string, token: unknown, now: number): JwtClaims | null {
  try {
    if (typeof token !== "string" || token.length > MAX_TOKEN_LENGTH) return null;
    const parts = token.split(".");
    if (parts.length !== 3) return null;
    const [header, payload, signature] = parts as [string, string, string];
    if (!SEGMENT.test(header) || !SEGMENT.test(payload) || !SEGMENT.test(signature)) return null;
    // Compare the encoded text: one canonical encoding of the MAC, compared in constant time.
    const expected = Buffer.from(mac(secret, `${header}.${payload}`));
    const given = Buffer.from(signature);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
    const head = JSON.parse(Buffer.from(header, "base64url").toString("utf8")) as unknown;
    if (!isRecord(head) || head.alg !== "HS256" || (head.typ !== undefined && head.typ !== "JWT"))
      return null;
    const body = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as unknown;
    if (!isRecord(body)) return null;
    const { sub, jti, iat, exp } = body;
    if (typeof sub !== "string" || !LOWER_ADDRESS.test(sub)) return null;
    if (typeof jti !== "string" || jti.length === 0 || jti.length > 128) return null;
    if (!Number.isSafeInteger(iat) || !Number.isSafeInteger(exp)) return null;
    const nowSec = now / 1000;
    if (nowSec >= (exp as number) || (iat as number) > nowSec + IAT_SKEW_SEC) return null;
    return { sub, jti, iat: iat as number, exp: exp as number };
  } catch {
    return null;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * The signing secret: the configured one (`--jwt-secret`, 32+ characters), else one generated once and
 * kept in settings, so sessions survive restarts and every instance on the database shares it.
 */
export async function resolveJwtSecret(options: {
  configured?: string | undefined;
  settings: SettingsRepo;
}): Promise<string> {
  if (options.configured !== undefined) {
    if (options.configured.length < MIN_SECRET_LENGTH) {
      throw new Error(`the JWT secret must be at least ${MIN_SECRET_LENGTH} characters`);
    }
    return options.configured;
  }
  const stored = await options.settings.setIfAbsent(JWT_SECRET_SETTING, randomBytes(32).toString("hex"));
  if (stored.length < MIN_SECRET_LENGTH) {
    throw new Error(
      `the stored ${JWT_SECRET_SETTING} setting is shorter than ${MIN_SECRET_LENGTH} characters`,
    );
  }
  return stored;
}
