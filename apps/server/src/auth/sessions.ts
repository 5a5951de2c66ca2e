/**
 * The server's `AuthApi`: SIWE sign-in issues a JWT for the wallet (creating its account), logout
 * revokes the token id, and `authenticate` turns request credentials into the caller (api.md §1:
 * a Bearer JWT → `via: "wallet"` with a session; `X-API-Key` → `via: "api_key"`, no session).
 */
import type { Actor, Clock, Platform, RevokedTokenRepo, SettingsRepo, SiweNonceRepo } from "@xenblocks/core";
import type { AuthApi, Session } from "../trpc/trpc.js";
import { JWT_TTL_MS, resolveJwtSecret, signJwt, verifyJwt } from "./jwt.js";
import { type IssuedNonce, type SignIn, Siwe, type SiweOptions } from "./siwe.js";

export interface AuthOptions {
  platform: Platform;
  settings: SettingsRepo;
  revokedTokens: RevokedTokenRepo;
  /** Issued sign-in nonces (the storage's `siweNonces`): shared by every instance over the database. */
  siweNonces: SiweNonceRepo;
  /** Where users reach the server: the SIWE domain and URI. */
  publicUrl: string;
  /** `--jwt-secret`; absent → generated once and kept in settings. */
  jwtSecret?: string | undefined;
  clock: Clock;
  /** Session length; 24 h by default. */
  ttlMs?: number;
  /** Nonce TTL, per-address bound, chains and statement (defaults in siwe.ts). */
  siwe?: Omit<SiweOptions, "publicUrl" | "clock" | "nonces">;
}

/** Credentials as they arrive (HTTP headers, or WebSocket connection params mapped to them). */
export interface Credentials {
  /** `Authorization` header: `Bearer <jwt>`. */
  authorization?: string | null | undefined;
  /** `X-API-Key` header. */
  apiKey?: string | null | undefined;
}

export interface Caller {
  actor: Actor | null;
  session: Session | null;
}

export interface SignedIn {
  token: string;
  /** Epoch ms. */
  expiresAt: number;
  /** Lowercase. */
  address: string;
}

export interface Auth extends AuthApi {
  issueNonce(input: { address: string; chainId: number }): Promise<IssuedNonce>;
  verify(input: { message: string; signature: string }): Promise<SignedIn>;
  /** REST `POST /api/auth/verify`: the signature of the message issued with this nonce. */
  verifyByNonce(input: { address: string; nonce: string; signature: string }): Promise<SignedIn>;
  logout(session: Session): Promise<void>;
  /** Who is asking. A credential that is present but invalid gives no actor (never the public). */
  authenticate(credentials: Credentials): Promise<Caller>;
  /** Forgets revocations of tokens that have expired anyway (a periodic job). */
  pruneRevoked(): Promise<number>;
  /** Deletes sign-in nonces that have expired unused (a periodic job). */
  pruneNonces(): Promise<number>;
  /** The SIWE side (domain, URI, nonces). */
  readonly siwe: Siwe;
}

const NOBODY: Caller = { actor: null, session: null };
const BEARER = /^Bearer +([A-Za-z0-9._-]+)$/i;

export async function createAuth(options: AuthOptions): Promise<Auth> {
  const { platform, revokedTokens, clock } = options;
  const ttlMs = options.ttlMs ?? JWT_TTL_MS;
  const siwe = new Siwe({ ...options.siwe, publicUrl: options.publicUrl, clock, nonces: options.siweNonces });
  const secret = await resolveJwtSecret({ configured: options.jwtSecret, settings: options.settings });

  async function startSession(signIn: SignIn): Promise<SignedIn> {
    const account = await platform.accounts.ensure(signIn.address);
    if (!account.ok) throw account.error;
    const { token, claims } = signJwt(secret, { address: signIn.address, now: clock.now(), ttlMs });
    return { token, expiresAt: claims.exp * 1000, address: claims.sub };
  }

  async function fromToken(token: string): Promise<Caller> {
    const claims = verifyJwt(secret, token, clock.now());
    if (!claims || (await revokedTokens.isRevoked(claims.jti))) return NOBODY;
    return {
      actor: { address: claims.sub, via: "wallet" },
      session: { tokenId: claims.jti, expiresAt: claims.exp * 1000 },
    };
  }

  return {
    siwe,
    async issueNonce(input) {
      return siwe.issueNonce(input);
    },
    async verify(input) {
      return startSession(await siwe.verify(input));
    },
    async verifyByNonce(input) {
      return startSession(await siwe.verifyByNonce(input));
    },
    async logout(session) {
      await revokedTokens.revoke(session.tokenId, session.expiresAt);
    },
    async authenticate({ authorization, apiKey }) {
      // One credential decides: a bad Bearer token does not fall back to an API key.
      if (authorization) {
        const bearer = BEARER.exec(authorization.trim());
        return bearer ? fromToken(bearer[1] as string) : NOBODY;
      }
      if (apiKey) {
        const actor = await platform.accounts.authenticateApiKey(apiKey);
        return { actor, session: null };
      }
      return NOBODY;
    },
    pruneRevoked() {
      return revokedTokens.prune(clock.now());
    },
    pruneNonces() {
      return siwe.pruneNonces();
    },
  };
}
