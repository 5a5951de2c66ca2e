/**
 * Sign-In with Ethereum (EIP-4361) with server-issued nonces: the server writes the message, the wallet
 * signs it (EIP-191 personal_sign), and the server checks every field, that the text is the one it
 * issued, and the signature. Nonces live in the database (`SiweNonceRepo`, platform-rules §10), so a
 * restarted instance or another one behind the same database accepts them: single use (taken on the
 * first attempt, success or not), 5 minutes, a few per address; expired ones are pruned hourly.
 */
import { randomBytes } from "node:crypto";
import {
  type Clock,
  fail,
  HEX_ADDRESS_PATTERN,
  type SiweNonceRecord,
  type SiweNonceRepo,
} from "@xenblocks/core";
import { type Hex, verifyMessage } from "viem";
import { createSiweMessage, parseSiweMessage } from "viem/siwe";

export const NONCE_TTL_MS = 5 * 60_000;
/**
 * Nonces waiting per address; a new one replaces the oldest. Replacing rather than refusing: refusing
 * would let anyone lock an address out of sign-in by asking for its nonces (the request is public).
 * Over all addresses the table is bounded by the TTL and the hourly prune of expired nonces.
 */
export const MAX_NONCES_PER_ADDRESS = 5;
/** How far in the future a message's `Issued At` may be (clock drift between instances). */
export const CLOCK_SKEW_MS = 60_000;
const MAX_MESSAGE_LENGTH = 4096;
const SIGNATURE_PATTERN = /^0x[0-9a-fA-F]{130}$/;
const NONCE_PATTERN = /^[a-zA-Z0-9]{8,128}$/;

export interface SiweOptions {
  /** Where users reach the server: its host[:port] is the message's domain, the URL its URI. */
  publicUrl: string;
  clock: Clock;
  /** Where issued nonces wait for their signature: the database every instance shares. */
  nonces: SiweNonceRepo;
  nonceTtlMs?: number;
  maxNoncesPerAddress?: number;
  clockSkewMs?: number;
  statement?: string;
  /** Chain ids a message may name (platform-rules §10); default [1]. */
  chainIds?: readonly number[];
}

export interface IssuedNonce {
  nonce: string;
  /** The EIP-4361 text to sign. */
  message: string;
  /** Epoch ms; also the message's `Expiration Time`. */
  expiresAt: number;
}

/** A verified sign-in. */
export interface SignIn {
  /** Lowercase. */
  address: string;
  chainId: number;
  nonce: string;
}

/** The message's domain (host[:port]) and URI for a public URL; throws on a URL SIWE cannot carry. */
export function siweOrigin(publicUrl: string): { domain: string; uri: string; scheme: string } {
  let url: URL;
  try {
    url = new URL(publicUrl);
  } catch {
    throw new Error(`the public URL ${JSON.stringify(publicUrl)} is not a URL`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new Error(`the public URL must be http(s), not ${url.protocol}`);
  }
  const root = url.pathname === "/" && url.search === "" && url.hash === "";
  const origin = { domain: url.host, uri: root ? url.origin : url.href, scheme: url.protocol.slice(0, -1) };
  try {
    // The same checks the real messages go through, once, so a bad URL fails at start-up.
    createSiweMessage({
      address: "0x0000000000000000000000000000000000000000",
      chainId: 1,
      domain: origin.domain,
      uri: origin.uri,
      nonce: "probe0000",
      version: "1",
    });
  } catch {
    throw new Error(
      `the public URL's host ${JSON.stringify(url.host)} cannot be a sign-in domain (use a DNS name with a dot, an IPv4 address or localhost)`,
    );
  }
  return origin;
}

export class Siwe {
  readonly domain: string;
  readonly uri: string;
  private readonly scheme: string;
  private readonly clock: Clock;
  private readonly ttlMs: number;
  private readonly skewMs: number;
  private readonly statement: string;
  private readonly nonces: SiweNonceRepo;
  private readonly maxPerAddress: number;
  private readonly chainIds: readonly number[];

  constructor(options: SiweOptions) {
    const origin = siweOrigin(options.publicUrl);
    this.domain = origin.domain;
    this.uri = origin.uri;
    this.scheme = origin.scheme;
    this.clock = options.clock;
    this.ttlMs = options.nonceTtlMs ?? NONCE_TTL_MS;
    this.skewMs = options.clockSkewMs ?? CLOCK_SKEW_MS;
    this.statement = options.statement ?? "Sign in to XenBlocks.";
    this.chainIds = options.chainIds ?? [1];
    this.maxPerAddress = options.maxNoncesPerAddress ?? MAX_NONCES_PER_ADDRESS;
    if (!(Number.isSafeInteger(this.maxPerAddress) && this.maxPerAddress >= 1 && this.ttlMs > 0)) {
      throw new Error("the per-address nonce bound must be at least 1 and the nonce TTL positive");
    }
    this.nonces = options.nonces;
  }

  /**
   * A fresh nonce (128 random bits, hex) bound to the address and chain, and the message to sign,
   * stored before it is returned; the address's oldest nonces beyond the bound go.
   */
  async issueNonce(input: { address: string; chainId: number }): Promise<IssuedNonce> {
    const address = checkAddress(input.address);
    const { chainId } = input;
    if (!Number.isSafeInteger(chainId) || chainId < 1) {
      fail("VALIDATION", "chainId must be a positive integer (EIP-155)");
    }
    if (!this.chainIds.includes(chainId)) {
      fail("VALIDATION", `chain ${chainId} is not accepted here; use ${this.chainIds.join(", ")}`);
    }
    const now = this.clock.now();
    const nonce = randomBytes(16).toString("hex");
    const expiresAt = now + this.ttlMs;
    const message = createSiweMessage({
      address: address as Hex,
      chainId,
      domain: this.domain,
      uri: this.uri,
      version: "1",
      nonce,
      issuedAt: new Date(now),
      expirationTime: new Date(expiresAt),
      statement: this.statement,
    });
    await this.nonces.insert({ nonce, address, chainId, message, issuedAt: now, expiresAt });
    // After the insert, keeping the newest: concurrent requests for one address still end within
    // the bound, and the nonce just stored is the newest.
    await this.nonces.trimForAddress(address, this.maxPerAddress);
    return { nonce, message, expiresAt };
  }

  /** Deletes the nonces that have expired (a periodic job); returns how many went. */
  pruneNonces(): Promise<number> {
    return this.nonces.prune(this.clock.now());
  }

  /** Checks a signed EIP-4361 message: consumes its nonce on the first attempt, success or not. */
  async verify(input: { message: string; signature: string }): Promise<SignIn> {
    const { message, signature } = input;
    if (typeof message !== "string" || message.length === 0 || message.length > MAX_MESSAGE_LENGTH) {
      fail("VALIDATION", `message must be an EIP-4361 text of at most ${MAX_MESSAGE_LENGTH} characters`);
    }
    const fields = parseSiweMessage(message);
    if (!fields.nonce || !fields.address || !fields.domain || !fields.uri || !fields.chainId) {
      fail("VALIDATION", "message is not an EIP-4361 sign-in message");
    }
    const pending = await this.nonces.take(fields.nonce);
    if (!pending) fail("UNAUTHORIZED", "unknown or already used nonce: ask for a new one");
    const now = this.clock.now();
    this.checkPending(pending, fields.address, now);
    this.checkFields(fields, pending, now);
    if (message !== pending.message) {
      fail("UNAUTHORIZED", "the message differs from the one issued for this nonce");
    }
    await checkSignature(pending, signature);
    return { address: pending.address, chainId: pending.chainId, nonce: pending.nonce };
  }

  /** The REST form (`POST /api/auth/verify`): the signature is checked against the message issued with the nonce. */
  async verifyByNonce(input: { address: string; nonce: string; signature: string }): Promise<SignIn> {
    const address = checkAddress(input.address);
    if (typeof input.nonce !== "string" || !NONCE_PATTERN.test(input.nonce)) {
      fail("VALIDATION", "nonce must be 8 to 128 letters and digits");
    }
    const pending = await this.nonces.take(input.nonce);
    if (!pending) fail("UNAUTHORIZED", "unknown or already used nonce: ask for a new one");
    const now = this.clock.now();
    this.checkPending(pending, address, now);
    this.checkFields(parseSiweMessage(pending.message), pending, now);
    await checkSignature(pending, input.signature);
    return { address: pending.address, chainId: pending.chainId, nonce: pending.nonce };
  }

  private checkPending(pending: SiweNonceRecord, address: string, now: number): void {
    if (now >= pending.expiresAt) fail("UNAUTHORIZED", "the nonce has expired: ask for a new one");
    if (address.toLowerCase() !== pending.address) {
      fail("UNAUTHORIZED", "the nonce was issued for another address");
    }
  }

  private checkFields(
    fields: ReturnType<typeof parseSiweMessage>,
    pending: SiweNonceRecord,
    now: number,
  ): void {
    if (fields.domain !== this.domain) {
      fail("UNAUTHORIZED", `wrong domain: expected ${this.domain}, got ${shown(fields.domain)}`);
    }
    if (fields.scheme !== undefined && fields.scheme !== this.scheme) {
      fail("UNAUTHORIZED", `wrong scheme: expected ${this.scheme}, got ${shown(fields.scheme)}`);
    }
    if (fields.uri !== this.uri)
      fail("UNAUTHORIZED", `wrong URI: expected ${this.uri}, got ${shown(fields.uri)}`);
    if (fields.version !== "1")
      fail("UNAUTHORIZED", `unsupported version ${shown(fields.version)}: expected 1`);
    if (fields.chainId !== pending.chainId) {
      fail("UNAUTHORIZED", `wrong chain id: the nonce was issued for chain ${pending.chainId}`);
    }
    const issuedAt = checkDate(fields.issuedAt, "Issued At");
    if (issuedAt === null) fail("VALIDATION", "message has no Issued At");
    if (issuedAt > now + this.skewMs) fail("UNAUTHORIZED", "the message is issued in the future");
    const expiresAt = checkDate(fields.expirationTime, "Expiration Time");
    if (expiresAt !== null && now >= expiresAt) fail("UNAUTHORIZED", "the message has expired");
    const notBefore = checkDate(fields.notBefore, "Not Before");
    if (notBefore !== null && now < notBefore) fail("UNAUTHORIZED", "the message is not valid yet");
  }
}

/** A field of the caller's message as quoted back in a refusal: bounded. */
function shown(value: string | undefined): string {
  const text = String(value);
  return text.length > 80 ? `${text.slice(0, 80)}…` : text;
}

function checkAddress(address: unknown): string {
  if (typeof address !== "string" || !HEX_ADDRESS_PATTERN.test(address)) {
    fail("VALIDATION", "address must be 0x followed by 40 hex digits");
  }
  return address.toLowerCase();
}

/** Epoch ms of an optional message date; a present but unparsable date is malformed input. */
function checkDate(date: Date | undefined, field: string): number | null {
  if (date === undefined) return null;
  const ms = date.getTime();
  if (Number.isNaN(ms)) fail("VALIDATION", `message has an invalid ${field}`);
  return ms;
}

/** EIP-191 personal_sign by the nonce's address (EOA: recovery, no RPC). */
async function checkSignature(pending: SiweNonceRecord, signature: unknown): Promise<void> {
  if (typeof signature !== "string" || !SIGNATURE_PATTERN.test(signature)) {
    fail("VALIDATION", "signature must be 0x followed by 130 hex digits (65 bytes)");
  }
  let valid = false;
  try {
    valid = await verifyMessage({
      address: pending.address as Hex,
      message: pending.message,
      signature: signature as Hex,
    });
  } catch {
    // Not a point on the curve, a bad recovery byte…: not this address's signature either way.
  }
  if (!valid) fail("UNAUTHORIZED", "the signature is not from this address");
}
