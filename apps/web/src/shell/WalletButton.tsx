/**
 * The wallet button (ui.md §1): "Connect wallet" signs in with the injected wallet (SIWE); signed in it
 * shows the EIP-55 short address and the available balance, with copy / Account / Sign out.
 */
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useNavigate } from "@tanstack/react-router";
import { useCallback, useEffect, useState } from "react";
import { toast } from "sonner";
import { useServices, useSession } from "../app/context.js";
import { injectedWallet, signInWithWallet, watchWallet } from "../auth/wallet.js";
import { IconChevronDown, IconWallet } from "../components/icons.js";
import { MenuItem, Popover } from "../components/Popover.js";
import { Button } from "../components/ui.js";
import { shortAddress } from "../lib/address.js";
import { errorMessage } from "../lib/errors.js";
import { formatXnm } from "../lib/format.js";
import { useTRPC } from "../trpc.js";

/** Query keys that belong to the signed-in user: dropped on sign-out, refetched on sign-in. */
const PRIVATE = ["account", "auth", "provider", "rental", "wallet", "admin"];

export function useSignOut() {
  const { api, session } = useServices();
  const queryClient = useQueryClient();
  return useCallback(
    async (opts: { revoke: boolean }) => {
      if (opts.revoke && session.get()) {
        await api.auth.logout.mutate().catch(() => {
          // The token is dropped here whatever the server says; it expires on its own.
        });
      }
      session.clear();
      queryClient.removeQueries({
        predicate: (q) => {
          const head = q.queryKey[0];
          return Array.isArray(head) && PRIVATE.includes(String(head[0]));
        },
      });
    },
    [api, session, queryClient],
  );
}

export function WalletButton() {
  const { api, session } = useServices();
  const current = useSession();
  const trpc = useTRPC();
  const navigate = useNavigate();
  const signOut = useSignOut();
  const queryClient = useQueryClient();
  const [busy, setBusy] = useState(false);
  const balance = useQuery({ ...trpc.account.balance.queryOptions(), enabled: current !== null });

  const connect = async () => {
    const wallet = injectedWallet();
    if (!wallet) {
      toast.error("No browser wallet found. Install an Ethereum wallet extension to sign in.");
      return;
    }
    setBusy(true);
    try {
      const signedIn = await signInWithWallet(wallet, {
        nonce: (input) => api.auth.nonce.mutate(input),
        verify: (input) => api.auth.verify.mutate(input),
      });
      session.set(signedIn);
      void queryClient.invalidateQueries();
      toast.success(`Signed in as ${shortAddress(signedIn.me.address)}`);
    } catch (e) {
      toast.error(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };

  if (!current) {
    return (
      <Button variant="primary" onClick={connect} disabled={busy} data-testid="wallet-button">
        <IconWallet size={16} />
        {busy ? "Check your wallet…" : "Connect wallet"}
      </Button>
    );
  }

  const address = current.me.address;
  return (
    <Popover
      label={`Wallet ${shortAddress(address)}`}
      button={
        <span
          className="inline-flex h-9 items-center gap-2 rounded-md border border-line bg-surface-1 pr-2 pl-3 hover:border-line-hover"
          data-testid="wallet-button"
        >
          <span className="font-mono text-xs" data-testid="wallet-address">
            {shortAddress(address)}
          </span>
          <span
            className="hidden rounded-full bg-accent-muted px-2 py-0.5 font-mono text-2xs text-accent sm:inline"
            title="Available balance"
            data-testid="wallet-balance"
          >
            {balance.data ? formatXnm(balance.data.available, { decimals: 2 }) : "…"}
          </span>
          <IconChevronDown size={14} className="text-fg-3" />
        </span>
      }
    >
      {(close) => (
        <>
          <div className="border-b border-line px-3 py-2 text-2xs text-fg-3">
            Signed in as
            <div className="mt-0.5 font-mono text-xs break-all text-fg">{address}</div>
          </div>
          <MenuItem
            onSelect={() => {
              void navigator.clipboard?.writeText(address).then(
                () => toast.success("Address copied"),
                () => toast.error("Could not copy the address"),
              );
              close();
            }}
          >
            Copy address
          </MenuItem>
          <MenuItem
            onSelect={() => {
              close();
              void navigate({ to: "/account" });
            }}
          >
            Account
          </MenuItem>
          <MenuItem
            onSelect={() => {
              close();
              void signOut({ revoke: true }).then(() => toast.success("Signed out"));
            }}
          >
            Sign out
          </MenuItem>
        </>
      )}
    </Popover>
  );
}

/** A wallet account or chain change signs the user out (ui.md §1, §7.13). */
export function WalletWatcher() {
  const current = useSession();
  const signOut = useSignOut();
  useEffect(() => {
    const wallet = injectedWallet();
    if (!wallet || !current) return;
    return watchWallet(wallet, () => {
      void signOut({ revoke: true }).then(() => toast.info("Wallet changed: signed out"));
    });
  }, [current, signOut]);
  return null;
}
