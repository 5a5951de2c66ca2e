/** The three balance cards (ui.md §2 Account): available, in escrow, pending withdrawals. */
import { useQuery } from "@tanstack/react-query";
import { MetricCard } from "../../components/MetricCard.js";
import { ErrorState } from "../../components/ui.js";
import { errorMessage } from "../../lib/errors.js";
import { formatXnm } from "../../lib/format.js";
import { useTRPC } from "../../trpc.js";
import { IconClock, IconCoins, IconWallet } from "./account-icons.js";

export function Balances() {
  const trpc = useTRPC();
  const balance = useQuery(trpc.account.balance.queryOptions());
  if (balance.isError) {
    return (
      <div className="rounded-lg border border-line bg-surface-1">
        <ErrorState
          title="Your balance could not be loaded"
          message={errorMessage(balance.error)}
          onRetry={() => void balance.refetch()}
        />
      </div>
    );
  }
  const b = balance.data;
  return (
    <div className="grid grid-cols-1 gap-4 sm:grid-cols-3">
      <MetricCard
        label="Available"
        value={<Money value={b?.available} />}
        sub="spendable now"
        icon={<IconWallet size={16} />}
        variant="accent"
        loading={balance.isPending}
      />
      <MetricCard
        label="In escrow"
        value={<Money value={b?.escrowed} />}
        sub="held for your open leases"
        icon={<IconCoins size={16} />}
        variant="info"
        loading={balance.isPending}
      />
      <MetricCard
        label="Pending withdrawals"
        value={<Money value={b?.pendingWithdrawals} />}
        sub="requested, not yet paid out"
        icon={<IconClock size={16} />}
        variant="warning"
        loading={balance.isPending}
      />
    </div>
  );
}

/** A balance at full precision: the number large, the unit small (so six decimals fit a third of 1024 px). */
function Money({ value }: { value: string | undefined }) {
  return (
    <span title={value ? `${value} XNM` : undefined}>
      <span className="whitespace-nowrap">{formatXnm(value, { unit: false })}</span>
      <span className="ml-1.5 text-sm font-medium text-fg-3">XNM</span>
    </span>
  );
}
