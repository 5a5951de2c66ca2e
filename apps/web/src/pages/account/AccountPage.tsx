/**
 * Account `/account` (ui.md §2): balances, funds (faucet or manual deposit, withdrawals), the ledger,
 * API keys, account info, and the Administration panel for admins. Signed out: the wallet prompt.
 */
import { useQuery } from "@tanstack/react-query";
import { lazy, type ReactNode, Suspense } from "react";
import { useSession } from "../../app/context.js";
import { ErrorBoundary } from "../../components/ErrorBoundary.js";
import { IconWallet } from "../../components/icons.js";
import { Card, EmptyState, PageHeader, SkeletonRows } from "../../components/ui.js";
import { useTRPC } from "../../trpc.js";
import { AccountInfo } from "./AccountInfo.js";
import { ApiKeys } from "./ApiKeys.js";
import { Balances } from "./Balances.js";
import { DepositCard, WithdrawCard } from "./Funds.js";
import { Transactions } from "./Transactions.js";

const AdminPanel = lazy(() => import("./admin/AdminPanel.js"));

const TITLE = "Account";
const DESCRIPTION = "Balance, funds, history and API keys.";

export function AccountPage() {
  const session = useSession();
  if (!session) {
    return (
      <div className="flex flex-col gap-6">
        <PageHeader title={TITLE} description={DESCRIPTION} />
        <Card>
          <EmptyState title="Connect your wallet" icon={<IconWallet size={28} />}>
            This page shows your own balance, transactions and API keys. Use “Connect wallet” at the top right
            to sign in with your Ethereum wallet; nothing is stored beyond this browser tab.
          </EmptyState>
        </Card>
      </div>
    );
  }
  return <SignedIn />;
}

function SignedIn() {
  const trpc = useTRPC();
  const session = useSession();
  // `auth.me` is fresh (roles can change after sign-in, e.g. a first worker makes a provider).
  const me = useQuery(trpc.auth.me.queryOptions());
  const who = me.data ?? session?.me;
  if (!who) return null;
  return (
    <div className="flex flex-col gap-6">
      <PageHeader title={TITLE} description={DESCRIPTION} />
      <Section>
        <Balances />
      </Section>
      <section aria-label="Funds" className="grid grid-cols-1 items-start gap-6 xl:grid-cols-2">
        <Section>
          <DepositCard />
        </Section>
        <Section>
          <WithdrawCard />
        </Section>
      </section>
      <Section>
        <Transactions />
      </Section>
      <div className="grid grid-cols-1 items-start gap-6 xl:grid-cols-[minmax(0,2fr)_minmax(0,1fr)]">
        <Section>
          <ApiKeys />
        </Section>
        <Section>
          <AccountInfo me={who} />
        </Section>
      </div>
      {who.isAdmin && (
        <Section>
          <Suspense fallback={<SkeletonRows rows={6} label="Loading the Administration panel" />}>
            <AdminPanel />
          </Suspense>
        </Section>
      )}
    </div>
  );
}

/** Each block fails on its own: one broken section leaves the rest usable. */
function Section({ children }: { children: ReactNode }) {
  return <ErrorBoundary>{children}</ErrorBoundary>;
}
