/**
 * REST §4: wallet sign-in (nonce + signature → JWT), the removed register/login, who is asking, and
 * accounts: balances, deposits (faucet for oneself, manual credit by admins) and withdrawals.
 * Account ids are the accounts' addresses (EIP-55 out, any case in).
 */
import { randomUUID } from "node:crypto";
import { formatMoney } from "@xenblocks/core";
import { z } from "zod";
import { checksumAddress } from "../trpc/serialize.js";
import { type Context, signInKey } from "../trpc/trpc.js";
import { RestError } from "./errors.js";
import { address, int, money } from "./params.js";
import { Reply, type RestRoute, route } from "./route.js";
import { accountId, sec } from "./rows.js";

type Role = "admin" | "provider" | "consumer";

async function roleOf(ctx: Context, who: string): Promise<Role> {
  if (ctx.platform.accounts.isAdmin(who)) return "admin";
  const owned = await ctx.platform.queries.fleet.page({
    page: 1,
    limit: 1,
    sortBy: "workerId",
    sortDir: "asc",
    owner: who.toLowerCase(),
  });
  return owned.total > 0 ? "provider" : "consumer";
}

const ACCOUNT_ID = /^0x[0-9a-fA-F]{40}$/;

/** The `{id}` account, and whether it is the caller's; 403 for another's unless admin, 404 if no address. */
function accountOf(ctx: Context, id: string, me: string): { address: string; self: boolean } {
  const self = id.toLowerCase() === me.toLowerCase();
  if (!self && !ctx.platform.accounts.isAdmin(me)) {
    throw new RestError(403, "FORBIDDEN", "this is another account: only its holder or an admin may");
  }
  if (!ACCOUNT_ID.test(id)) throw new RestError(404, "NOT_FOUND", "Account not found");
  return { address: id.toLowerCase(), self };
}

const removed = (path: string) =>
  route({
    method: "POST",
    path,
    auth: "public",
    tag: "auth",
    summary: "Removed: accounts are wallets now",
    returns: "410",
    errors: [410],
    only: 410,
    async run() {
      return new Reply(410, {
        detail: "Removed: sign in with a wallet, then create an API key",
        code: "GONE",
      });
    },
  });

export const accountRoutes: RestRoute[] = [
  route({
    method: "GET",
    path: "/api/auth/nonce",
    auth: "public",
    tag: "auth",
    summary: "A sign-in nonce and the EIP-4361 message to sign for it",
    returns: "{nonce, message, expires_at}",
    errors: [422, 429],
    query: z.object({ address: address(), chain_id: int().min(1).default(1) }),
    async run({ api, query }) {
      const n = await api.auth.nonce({ address: query.address, chainId: query.chain_id });
      return { nonce: n.nonce, message: n.message, expires_at: sec(n.expiresAt) };
    },
  }),
  route({
    method: "POST",
    path: "/api/auth/verify",
    auth: "public",
    tag: "auth",
    summary: "The signature of the message issued with the nonce → a session token (JWT)",
    returns: "{token, address, account_id, role, expires_at}",
    errors: [401, 422, 429],
    body: z.object({
      address: address(),
      signature: z.string().regex(/^0x[0-9a-fA-F]{130}$/, "signature must be 0x followed by 130 hex digits"),
      nonce: z.string().min(1).max(128),
    }),
    async run({ ctx, body }) {
      if (!ctx.limits.signIn.take(signInKey(ctx.clientIp, "auth.verify"))) {
        throw new RestError(429, "RATE_LIMITED", "too many sign-in attempts; wait a minute");
      }
      const signedIn = await ctx.auth.verifyByNonce(body);
      const who = checksumAddress(signedIn.address);
      return {
        token: signedIn.token,
        address: who,
        account_id: accountId(who),
        role: await roleOf(ctx, signedIn.address),
        expires_at: sec(signedIn.expiresAt),
      };
    },
  }),
  removed("/api/auth/register"),
  removed("/api/auth/login"),
  route({
    method: "GET",
    path: "/api/auth/me",
    auth: "user",
    tag: "auth",
    summary: "Who is asking",
    returns: "{account_id, role, eth_address, balance, is_admin}",
    async run({ ctx, api }) {
      const [me, balance] = await Promise.all([api.auth.me(), api.account.balance()]);
      return {
        account_id: accountId(me.address),
        role: await roleOf(ctx, me.address),
        eth_address: me.address,
        balance: balance.available,
        is_admin: me.isAdmin,
      };
    },
  }),
  route({
    method: "GET",
    path: "/api/accounts",
    auth: "admin",
    tag: "admin",
    summary: "Every account, keyed by account id",
    returns: "{<account_id>: {account_id, role, eth_address, balance}}",
    errors: [401, 403],
    async run({ api }) {
      const out: Record<string, { account_id: string; role: Role; eth_address: string; balance: string }> =
        {};
      let cursor: string | null = null;
      do {
        const page = await api.admin.accounts({ limit: 100, ...(cursor !== null && { cursor }) });
        for (const a of page.items) {
          const role: Role = a.isAdmin ? "admin" : a.isProvider ? "provider" : "consumer";
          const id = accountId(a.address);
          out[id] = { account_id: id, role, eth_address: a.address, balance: a.available };
        }
        cursor = page.nextCursor;
      } while (cursor !== null && Object.keys(out).length < 10_000);
      return out;
    },
  }),
  route({
    method: "GET",
    path: "/api/accounts/{id}/balance",
    auth: "user",
    access: "self / admin",
    tag: "accounts",
    summary: "An account's balance",
    returns: "{account_id, role, balance, escrowed, eth_address}",
    errors: [401, 403, 404],
    async run({ ctx, api, actor, param }) {
      const account = accountOf(ctx, param("id"), actor().address);
      if (account.self) {
        const b = await api.account.balance();
        const role = await roleOf(ctx, account.address);
        return {
          account_id: accountId(account.address),
          role,
          balance: b.available,
          escrowed: b.escrowed,
          eth_address: checksumAddress(account.address),
        };
      }
      const page = await api.admin.accounts({ search: account.address, limit: 1 });
      const found = page.items.find((a) => a.address.toLowerCase() === account.address);
      if (!found) throw new RestError(404, "NOT_FOUND", "Account not found");
      const role: Role = found.isAdmin ? "admin" : found.isProvider ? "provider" : "consumer";
      return {
        account_id: accountId(found.address),
        role,
        balance: found.available,
        escrowed: found.escrowed,
        eth_address: found.address,
      };
    },
  }),
  route({
    method: "POST",
    path: "/api/accounts/{id}/deposit",
    auth: "user",
    access: "self (faucet) / admin (manual credit with a reference)",
    tag: "accounts",
    summary: "Deposit: the faucet for one's own account, or an admin's manual credit",
    returns: "{account_id, balance}",
    errors: [400, 401, 403, 409, 422, 429],
    body: z.object({
      amount: money(),
      reference: z.string().min(1).max(128).optional().describe("the payment's reference (manual credit)"),
    }),
    rules400: true,
    async run({ ctx, api, actor, param, body }) {
      const me = actor().address;
      const account = accountOf(ctx, param("id"), me);
      const amount = formatMoney(body.amount);
      const manual = ctx.platform.accounts.isAdmin(me) && (!account.self || body.reference !== undefined);
      if (!manual) {
        const d = await api.account.deposit({ amount });
        return { account_id: accountId(account.address), balance: d.available };
      }
      // §4 makes `reference` optional: an admin's credit without one gets a fresh reference of its
      // own (so it is never mistaken for a repeat of another credit).
      const reference = body.reference ?? `rest-manual-${randomUUID()}`;
      await api.admin.credit({ address: account.address, amount, reference });
      const b = await ctx.platform.accounts.balance(account.address);
      return { account_id: accountId(account.address), balance: formatMoney(b.available) };
    },
  }),
  route({
    method: "POST",
    path: "/api/accounts/{id}/withdraw",
    auth: "user",
    access: "self / admin",
    tag: "accounts",
    summary: "Request a withdrawal (paid out by an admin); an admin may request one for any account",
    returns: '{account_id, balance, withdrawn, withdrawal_id, status: "requested"}',
    errors: [400, 401, 403, 422],
    body: z.object({ amount: money(), eth_address: address().optional().describe("where to pay") }),
    rules400: true,
    refusals: { INSUFFICIENT_BALANCE: { status: 400 } },
    async run({ ctx, api, actor, param, body }) {
      const me = actor();
      const account = accountOf(ctx, param("id"), me.address);
      if (!account.self) {
        // An admin on the holder's behalf (accountOf let only admins through): the request is the
        // holder's (paid to the holder's address unless eth_address says otherwise), and audited.
        const done = await ctx.platform.payments.withdraw(
          { address: account.address, via: "api_key" },
          body.amount,
          body.eth_address,
        );
        if (!done.ok) throw done.error;
        const w = done.value;
        await ctx.storage.audit.append({
          at: w.createdAt,
          actor: me.address.toLowerCase(),
          action: "withdrawal_requested",
          target: account.address,
          result: `${w.id}: ${formatMoney(w.amount)} to ${w.toAddress}`,
        });
        const b = await ctx.platform.accounts.balance(account.address);
        return {
          account_id: accountId(account.address),
          balance: formatMoney(b.available),
          withdrawn: formatMoney(w.amount),
          withdrawal_id: w.id,
          status: w.state,
        };
      }
      const w = await api.account.withdraw({
        amount: formatMoney(body.amount),
        ...(body.eth_address !== undefined && { toAddress: body.eth_address }),
      });
      const b = await api.account.balance();
      return {
        account_id: accountId(account.address),
        balance: b.available,
        withdrawn: w.amount,
        withdrawal_id: w.id,
        status: w.state,
      };
    },
  }),
];
