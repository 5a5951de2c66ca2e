import { describe, expect, it, vi } from "vitest";
import { SessionStore } from "./session.js";
import { type Eip1193Provider, signInWithWallet, utf8Hex, watchWallet } from "./wallet.js";

const ADDRESS = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed";

describe("wallet sign-in", () => {
  it("asks for accounts, signs the server's message as hex and verifies", async () => {
    const calls: string[] = [];
    const wallet: Eip1193Provider = {
      request: async ({ method, params }) => {
        calls.push(method);
        if (method === "eth_requestAccounts") return [ADDRESS];
        if (method === "eth_chainId") return "0x89";
        if (method === "personal_sign") {
          expect(params).toEqual([utf8Hex("sign me ✓"), ADDRESS]);
          return `0x${"ab".repeat(65)}`;
        }
        throw new Error(method);
      },
    };
    const nonce = vi.fn(async () => ({ message: "sign me ✓" }));
    const verify = vi.fn(async () => ({
      token: "jwt",
      expiresAt: 10,
      me: { address: ADDRESS, isAdmin: false, isProvider: false, createdAt: null },
    }));
    const session = await signInWithWallet(wallet, { nonce, verify });
    expect(calls).toEqual(["eth_requestAccounts", "eth_chainId", "personal_sign"]);
    expect(nonce).toHaveBeenCalledWith({ address: ADDRESS, chainId: 137 });
    expect(verify).toHaveBeenCalledWith({ message: "sign me ✓", signature: `0x${"ab".repeat(65)}` });
    expect(session.token).toBe("jwt");
  });

  it("refuses a wallet that shares no account", async () => {
    const wallet: Eip1193Provider = { request: async () => [] };
    await expect(signInWithWallet(wallet, { nonce: vi.fn(), verify: vi.fn() })).rejects.toThrow(
      /did not share an account/,
    );
  });

  it("hears account and chain changes", () => {
    const listeners = new Map<string, () => void>();
    const wallet: Eip1193Provider = {
      request: async () => null,
      on: (event, fn) => listeners.set(event, fn as () => void),
      removeListener: (event) => listeners.delete(event),
    };
    const onChange = vi.fn();
    const stop = watchWallet(wallet, onChange);
    listeners.get("accountsChanged")?.();
    listeners.get("chainChanged")?.();
    expect(onChange).toHaveBeenCalledTimes(2);
    stop();
    expect(listeners.size).toBe(0);
  });
});

describe("session store", () => {
  it("keeps the session in the given per-tab storage and drops it when expired", () => {
    const data = new Map<string, string>();
    const storage = {
      getItem: (k: string) => data.get(k) ?? null,
      setItem: (k: string, v: string) => void data.set(k, v),
      removeItem: (k: string) => void data.delete(k),
    };
    let now = 0;
    const store = new SessionStore(storage, () => now);
    const me = { address: ADDRESS, isAdmin: false, isProvider: false, createdAt: null };
    store.set({ token: "t", expiresAt: 100, me });
    expect(new SessionStore(storage, () => now).get()?.token).toBe("t");
    now = 100;
    expect(store.get()).toBeNull();
    expect(data.size).toBe(0);
  });
});
