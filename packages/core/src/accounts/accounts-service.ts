/**
 * Wallet-keyed accounts, balances and API keys (platform-rules §10). Keys are shown once and
 * stored as SHA-256 with their last 4 characters; a key acts as its account but cannot manage keys.
 */

import type { Context } from "../context.js";
import { isAdmin } from "../context.js";
import { attempt, fail, type Result } from "../errors.js";
import { checkActor, checkId, checkText } from "../identifiers.js";
import { userAccount } from "../ledger.js";
import type { Units } from "../money.js";
import { HEX_ADDRESS_PATTERN } from "../protocol/index.js";
import type { AccountRecord, Actor, ApiKeyRecord } from "../types.js";

/** How fresh an API key's `lastUsedAt` is kept. */
const LAST_USED_RESOLUTION_MS = 60_000;

export interface Balance {
  available: Units;
  escrowed: Units;
  pendingWithdrawals: Units;
}

export class AccountsService {
  constructor(private readonly ctx: Context) {}

  isAdmin(address: string): boolean {
    return isAdmin(this.ctx, address);
  }

  /** The account of a wallet address, created at first sign-in. */
  ensure(address: string): Promise<Result<AccountRecord>> {
    return attempt(async () => {
      if (!HEX_ADDRESS_PATTERN.test(address))
        fail("VALIDATION", "address must be 0x followed by 40 hex digits");
      return this.ctx.storage.accounts.ensure(address.toLowerCase(), this.ctx.clock.now());
    });
  }

  async balance(address: string): Promise<Balance> {
    const owner = address.toLowerCase();
    const { storage } = this.ctx;
    const balances = await storage.ledger.balances([userAccount(owner)]);
    return {
      available: balances.get(userAccount(owner)) ?? 0n,
      escrowed: await storage.leases.sumOpenEscrowOf(owner),
      pendingWithdrawals: await storage.withdrawals.sumRequested(owner),
    };
  }

  createApiKey(actor: Actor, name: string): Promise<Result<{ record: ApiKeyRecord; key: string }>> {
    return attempt(async () => {
      const { ctx } = this;
      if (actor.via !== "wallet") fail("FORBIDDEN", "API keys can only be managed after a wallet sign-in");
      const trimmed = checkText(typeof name === "string" ? name.trim() : name, "a key name", 64);
      const address = checkActor(actor);
      await ctx.storage.accounts.ensure(address, ctx.clock.now());
      const key = `xbk_${ctx.ids.randomBase64Url(32)}`;
      const record: ApiKeyRecord = {
        id: ctx.ids.uuidv7(),
        address,
        name: trimmed,
        hash: await ctx.ids.sha256Hex(key),
        last4: key.slice(-4),
        createdAt: ctx.clock.now(),
        lastUsedAt: null,
        revokedAt: null,
      };
      // Count and insert in one transaction, so parallel requests cannot pass the limit together.
      await ctx.storage.transaction(async (tx) => {
        await tx.accounts.lock(address);
        if ((await tx.apiKeys.countActive(address)) >= ctx.config.apiKeys.maxPerAccount) {
          fail(
            "VALIDATION",
            `at most ${ctx.config.apiKeys.maxPerAccount} active keys per account; revoke one first`,
          );
        }
        await tx.apiKeys.insert(record);
      });
      return { record, key };
    });
  }

  listApiKeys(actor: Actor): Promise<Result<ApiKeyRecord[]>> {
    return attempt(async () => {
      if (actor.via !== "wallet") fail("FORBIDDEN", "API keys can only be managed after a wallet sign-in");
      return this.ctx.storage.apiKeys.listByAddress(checkActor(actor));
    });
  }

  revokeApiKey(actor: Actor, id: string): Promise<Result<{ ok: true }>> {
    return attempt(async () => {
      if (actor.via !== "wallet") fail("FORBIDDEN", "API keys can only be managed after a wallet sign-in");
      const record = await this.ctx.storage.apiKeys.get(checkId(id, `API key ${id}`));
      if (!record || record.address !== checkActor(actor)) fail("NOT_FOUND", `API key ${id} not found`);
      if (record.revokedAt === null)
        await this.ctx.storage.apiKeys.update(id, { revokedAt: this.ctx.clock.now() });
      return { ok: true as const };
    });
  }

  /** Resolves an `X-API-Key` to its account, or null for an unknown or revoked key. */
  async authenticateApiKey(key: string): Promise<Actor | null> {
    if (!/^xbk_[A-Za-z0-9_-]{43}$/.test(key)) return null;
    const record = await this.ctx.storage.apiKeys.getByHash(await this.ctx.ids.sha256Hex(key));
    if (!record || record.revokedAt !== null) return null;
    // Kept to the minute: a script calling every second would otherwise write on every request.
    const now = this.ctx.clock.now();
    if (record.lastUsedAt === null || now - record.lastUsedAt >= LAST_USED_RESOLUTION_MS) {
      await this.ctx.storage.apiKeys.update(record.id, { lastUsedAt: now });
    }
    return { address: record.address, via: "api_key" };
  }
}
