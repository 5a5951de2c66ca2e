/**
 * Sign-In with Ethereum through any injected EIP-1193 wallet (ui.md §1): accounts, `auth.nonce`, a
 * `personal_sign` of the server's EIP-4361 message, `auth.verify`.
 */
import type { Session } from "./session.js";

export interface Eip1193Provider {
  request(args: { method: string; params?: unknown[] }): Promise<unknown>;
  on?(event: string, listener: (...args: unknown[]) => void): void;
  removeListener?(event: string, listener: (...args: unknown[]) => void): void;
}

declare global {
  interface Window {
    ethereum?: Eip1193Provider;
  }
}

export function injectedWallet(): Eip1193Provider | null {
  return typeof window !== "undefined" && window.ethereum ? window.ethereum : null;
}

/** The UTF-8 bytes of a text as 0x-hex (what `personal_sign` takes). */
export function utf8Hex(text: string): string {
  let hex = "0x";
  for (const byte of new TextEncoder().encode(text)) hex += byte.toString(16).padStart(2, "0");
  return hex;
}

export interface SignInApi {
  nonce(input: { address: string; chainId: number }): Promise<{ message: string }>;
  verify(input: { message: string; signature: string }): Promise<Session>;
}

export class WalletError extends Error {}

/** Runs the whole sign-in; the caller stores the session. */
export async function signInWithWallet(wallet: Eip1193Provider, api: SignInApi): Promise<Session> {
  const accounts = (await wallet.request({ method: "eth_requestAccounts" })) as unknown;
  const address = Array.isArray(accounts) ? accounts[0] : undefined;
  if (typeof address !== "string" || !/^0x[0-9a-fA-F]{40}$/.test(address)) {
    throw new WalletError("The wallet did not share an account");
  }
  const chainHex = await wallet.request({ method: "eth_chainId" }).catch(() => "0x1");
  const parsed = typeof chainHex === "string" ? Number.parseInt(chainHex, 16) : Number(chainHex);
  const chainId = Number.isSafeInteger(parsed) && parsed > 0 ? parsed : 1;
  const { message } = await api.nonce({ address, chainId });
  const signature = await wallet.request({ method: "personal_sign", params: [utf8Hex(message), address] });
  if (typeof signature !== "string") throw new WalletError("The wallet returned no signature");
  return api.verify({ message, signature });
}

/** Calls `onChange` when the wallet's account or chain changes; returns the unsubscribe. */
export function watchWallet(wallet: Eip1193Provider, onChange: () => void): () => void {
  const handler = () => onChange();
  wallet.on?.("accountsChanged", handler);
  wallet.on?.("chainChanged", handler);
  return () => {
    wallet.removeListener?.("accountsChanged", handler);
    wallet.removeListener?.("chainChanged", handler);
  };
}
