/**
 * Provider `/provider` (ui.md §2): the signed-in owner's figures, history and achievements, their workers
 * with pricing, listing and control, earnings, a share text, and how to connect a worker.
 */
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { toast } from "sonner";
import { useLive, useSession } from "../../app/context.js";
import {
  IconBlocks,
  IconCheck,
  IconCoins,
  IconCopy,
  IconServer,
  IconWallet,
  IconZap,
} from "../../components/icons.js";
import { MetricCard } from "../../components/MetricCard.js";
import { Button, Card, EmptyState, ErrorState, PageHeader } from "../../components/ui.js";
import { XnmAmount } from "../../components/values.js";
import { errorMessage } from "../../lib/errors.js";
import { formatCount, formatHashrate } from "../../lib/format.js";
import { useTRPC } from "../../trpc.js";
import { AchievementsPanel } from "./Achievements.js";
import { ConnectWorker } from "./ConnectWorker.js";
import { EarningsTable } from "./EarningsTable.js";
import { HistoryChart } from "./HistoryChart.js";
import { MyWorkers } from "./MyWorkers.js";

const TITLE = "Provider";
const DESCRIPTION = "Your workers, prices and earnings.";

export function ProviderPage() {
  const session = useSession();
  if (!session) {
    return (
      <div className="flex flex-col gap-6">
        <PageHeader title={TITLE} description={DESCRIPTION} />
        <Card>
          <EmptyState title="Connect your wallet" icon={<IconWallet size={28} />}>
            This page shows your own provider data. Use “Connect wallet” at the top right to sign in with your
            Ethereum wallet; nothing is stored beyond this browser tab.
          </EmptyState>
        </Card>
      </div>
    );
  }
  return <SignedIn address={session.me.address} />;
}

function ShareButton() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [state, setState] = useState<"idle" | "busy" | "copied">("idle");
  const share = async () => {
    setState("busy");
    try {
      const card = await queryClient.fetchQuery(trpc.wallet.share.queryOptions(undefined, { staleTime: 0 }));
      await navigator.clipboard.writeText(card.text);
      toast.success("Share text copied", { description: card.text });
      setState("copied");
      setTimeout(() => setState("idle"), 2_000);
    } catch (e) {
      toast.error(
        e instanceof Error && e.name === "NotAllowedError"
          ? "The browser refused the clipboard"
          : errorMessage(e),
      );
      setState("idle");
    }
  };
  return (
    <Button
      variant="secondary"
      onClick={() => void share()}
      disabled={state === "busy"}
      data-testid="share-button"
    >
      {state === "copied" ? <IconCheck size={14} className="text-success" /> : <IconCopy size={14} />}
      {state === "copied" ? "Copied" : "Share"}
    </Button>
  );
}

function SignedIn({ address }: { address: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const dashboard = useQuery(trpc.provider.dashboard.queryOptions());
  const achievements = useQuery(trpc.wallet.achievements.queryOptions());
  const statsAt = useLive((s) => s.data.statsAt);

  // The figures are not in live events: refresh them when the fleet's figures change, at most every 10 s.
  const lastRefresh = useRef(Date.now());
  useEffect(() => {
    if (statsAt === null || Date.now() - lastRefresh.current < 10_000) return;
    lastRefresh.current = Date.now();
    void queryClient.invalidateQueries({ queryKey: trpc.provider.dashboard.queryKey() });
    void queryClient.invalidateQueries({ queryKey: trpc.wallet.achievements.queryKey() });
  }, [statsAt, queryClient, trpc]);

  const d = dashboard.data;
  const a = achievements.data;
  const failed = dashboard.isError ? "unavailable" : undefined;
  const noWorkers = d !== undefined && d.workerCount === 0;

  return (
    <div className="flex flex-col gap-6">
      <PageHeader title={TITLE} description={DESCRIPTION} actions={<ShareButton />} />
      {dashboard.isError && (
        <Card>
          <ErrorState message={errorMessage(dashboard.error)} onRetry={() => void dashboard.refetch()} />
        </Card>
      )}
      <div className="grid grid-cols-2 gap-4 xl:grid-cols-4" data-testid="provider-metrics">
        <MetricCard
          label="Current hashrate"
          value={failed ?? formatHashrate(d?.currentHashrate)}
          sub="online workers"
          icon={<IconZap size={16} />}
          variant="accent"
          loading={dashboard.isPending}
        />
        <MetricCard
          label="Online workers"
          value={
            failed ?? (
              <span>
                {formatCount(d?.onlineCount)}
                <span className="text-base text-fg-3"> / {formatCount(d?.workerCount)}</span>
              </span>
            )
          }
          sub={d ? `${formatCount(d.leasedCount)} leased now` : undefined}
          icon={<IconServer size={16} />}
          variant="success"
          loading={dashboard.isPending}
        />
        <MetricCard
          label="Total earned"
          value={failed ?? <XnmAmount value={d?.totalEarned} decimals={2} />}
          sub="settled leases, after the fee"
          icon={<IconCoins size={16} />}
          variant="warning"
          loading={dashboard.isPending}
        />
        <MetricCard
          label="Earned 24 h"
          value={failed ?? <XnmAmount value={d?.earned24h} decimals={2} />}
          icon={<IconCoins size={16} />}
          variant="warning"
          loading={dashboard.isPending}
        />
        <MetricCard
          label="Lease blocks"
          value={failed ?? formatCount(d?.leaseBlocks)}
          sub="accepted for renters"
          icon={<IconBlocks size={16} />}
          variant="info"
          loading={dashboard.isPending}
        />
        <MetricCard
          label="Self blocks"
          value={failed ?? formatCount(d?.selfBlocks)}
          sub="verified on chain"
          icon={<IconBlocks size={16} />}
          variant="info"
          loading={dashboard.isPending}
        />
        <MetricCard
          label="Peak hashrate"
          value={achievements.isError ? "unavailable" : formatHashrate(a?.peakHashrate)}
          sub="last 30 days"
          icon={<IconZap size={16} />}
          loading={achievements.isPending}
        />
        <MetricCard
          label="Mining days"
          value={achievements.isError ? "unavailable" : a ? a.miningDays.toFixed(1) : "—"}
          sub="online time of all workers"
          icon={<IconServer size={16} />}
          loading={achievements.isPending}
        />
      </div>
      {noWorkers ? (
        <Card>
          <ConnectWorker address={address} />
        </Card>
      ) : (
        <>
          <div className="grid grid-cols-1 gap-6 xl:grid-cols-[minmax(0,1fr)_380px]">
            <HistoryChart />
            <AchievementsPanel
              data={a}
              isPending={achievements.isPending}
              error={achievements.error}
              onRetry={() => void achievements.refetch()}
            />
          </div>
          <MyWorkers />
          <EarningsTable />
          <details className="rounded-lg border border-line bg-surface-1 px-4 py-3 text-sm">
            <summary className="cursor-pointer text-sm font-medium text-fg-2 hover:text-fg">
              Connect another worker
            </summary>
            <div className="mt-3">
              <ConnectWorker address={address} compact />
            </div>
          </details>
        </>
      )}
    </div>
  );
}
