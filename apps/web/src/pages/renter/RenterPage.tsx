/**
 * Renter `/renter` (ui.md §2): figures from `rental.renterStats`, a call to the Marketplace when there
 * is no lease, the running leases with Stop, and the lease history. Signed out: a wallet prompt.
 */
import { useQuery } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { useSession } from "../../app/context.js";
import {
  IconBlocks,
  IconCoins,
  IconMarket,
  IconRefresh,
  IconRenter,
  IconWallet,
} from "../../components/icons.js";
import { MetricCard } from "../../components/MetricCard.js";
import { Card, EmptyState, ErrorState, PageHeader, Skeleton } from "../../components/ui.js";
import { XnmAmount } from "../../components/values.js";
import { errorMessage } from "../../lib/errors.js";
import { formatCount } from "../../lib/format.js";
import { useTRPC } from "../../trpc.js";
import { ActiveLeaseCard } from "./ActiveLeases.js";
import { LeaseHistory } from "./LeaseHistory.js";
import { useRefreshOnLeaseBlocks } from "./live-leases.js";

const browse = (
  <Link
    to="/marketplace"
    className="inline-flex h-9 items-center gap-1.5 rounded-md bg-accent px-3.5 text-sm font-medium text-fg-inverse hover:bg-accent-hover"
  >
    <IconMarket size={16} /> Browse the marketplace
  </Link>
);

export function RenterPage() {
  const session = useSession();
  if (!session) {
    return (
      <div className="flex flex-col gap-6">
        <PageHeader title="Renter" description="Your leases, blocks and spending." />
        <Card>
          <EmptyState title="Connect your wallet" icon={<IconWallet size={28} />}>
            Your leases are private to you. Use “Connect wallet” at the top right to sign in with your
            Ethereum wallet; nothing is stored beyond this browser tab.
          </EmptyState>
        </Card>
      </div>
    );
  }
  return <RenterDashboard />;
}

function RenterDashboard() {
  const trpc = useTRPC();
  const stats = useQuery(trpc.rental.renterStats.queryOptions());
  const pending = useQuery(trpc.rental.leases.queryOptions({ as: "renter", state: "pending", limit: 20 }));
  const active = useQuery(trpc.rental.leases.queryOptions({ as: "renter", state: "active", limit: 20 }));
  const any = useQuery(trpc.rental.leases.queryOptions({ as: "renter", limit: 1 }));
  const running = [...(pending.data?.items ?? []), ...(active.data?.items ?? [])];
  useRefreshOnLeaseBlocks(running.map((l) => l.leaseId));
  const s = stats.data;
  const loading = stats.isPending;
  const runningError = pending.error ?? active.error;

  return (
    <div className="flex flex-col gap-6">
      <PageHeader title="Renter" description="Your leases, blocks and spending." actions={browse} />
      {stats.isError ? (
        <Card>
          <ErrorState
            title="Your figures could not be loaded"
            message={errorMessage(stats.error)}
            onRetry={() => void stats.refetch()}
          />
        </Card>
      ) : (
        <div className="grid grid-cols-2 gap-4 lg:grid-cols-3 2xl:grid-cols-5">
          <MetricCard
            label="Active leases"
            value={formatCount(s?.activeLeases)}
            sub={
              s
                ? `${s.completedLeases} completed · ${s.interruptedLeases} interrupted · ${s.cancelledLeases} cancelled`
                : undefined
            }
            icon={<IconRenter size={16} />}
            variant="accent"
            loading={loading}
          />
          <MetricCard
            label="Total spent"
            value={<XnmAmount value={s?.totalSpent} />}
            icon={<IconCoins size={16} />}
            variant="warning"
            loading={loading}
          />
          <MetricCard
            label="Total refunded"
            value={<XnmAmount value={s?.totalRefunded} />}
            icon={<IconRefresh size={16} />}
            variant="success"
            loading={loading}
          />
          <MetricCard
            label="Avg cost per lease"
            value={<XnmAmount value={s?.avgCostPerLease} />}
            icon={<IconCoins size={16} />}
            loading={loading}
          />
          <MetricCard
            label="Blocks accepted"
            value={formatCount(s?.blocksAccepted)}
            sub="mined to your addresses in leases"
            icon={<IconBlocks size={16} />}
            variant="info"
            loading={loading}
          />
        </div>
      )}

      {any.data && any.data.items.length === 0 ? (
        <Card>
          <EmptyState
            title="You have not rented any hashpower yet"
            icon={<IconMarket size={28} />}
            action={browse}
          >
            Pick a worker on the Marketplace, or let Auto-match choose the best value for you. You pay per
            second and get the unused time back.
          </EmptyState>
        </Card>
      ) : (
        <section aria-label="Active leases" className="flex flex-col gap-3">
          <h2 className="text-sm font-semibold text-fg">Active leases</h2>
          {runningError ? (
            <Card>
              <ErrorState
                message={errorMessage(runningError)}
                onRetry={() => {
                  void pending.refetch();
                  void active.refetch();
                }}
              />
            </Card>
          ) : pending.isPending || active.isPending ? (
            <div className="grid grid-cols-1 gap-4 md:grid-cols-2 2xl:grid-cols-3">
              <Skeleton className="h-48 w-full rounded-lg" label="Loading active leases" />
              <Skeleton className="h-48 w-full rounded-lg" />
            </div>
          ) : running.length === 0 ? (
            <p className="rounded-lg border border-line bg-surface-1 px-4 py-3 text-xs text-fg-2">
              No lease is running. Your finished leases are in the history below;{" "}
              <Link to="/marketplace" className="font-medium text-accent hover:underline">
                rent more hashpower on the Marketplace
              </Link>
              .
            </p>
          ) : (
            <div
              className="grid grid-cols-1 gap-4 md:grid-cols-2 2xl:grid-cols-3"
              data-testid="active-leases"
            >
              {running.map((l) => (
                <ActiveLeaseCard key={l.leaseId} lease={l} />
              ))}
            </div>
          )}
        </section>
      )}
      {!(any.data && any.data.items.length === 0) && <LeaseHistory />}
    </div>
  );
}
