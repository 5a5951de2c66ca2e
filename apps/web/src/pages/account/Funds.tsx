/**
 * Funds (ui.md §2 Account): the faucet deposit when the server offers it (limits and what remains
 * from `account.paymentOptions`), else the manual instructions; withdrawals with their requests.
 */
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useEffect, useState } from "react";
import { toast } from "sonner";
import { useSession } from "../../app/context.js";
import { AddressInput, AmountInput, addressError } from "../../components/form.js";
import { Button, Card, ErrorState, Skeleton } from "../../components/ui.js";
import { AddressText, CopyButton, TimeAgo, XnmAmount } from "../../components/values.js";
import { errorMessage } from "../../lib/errors.js";
import { formatXnm } from "../../lib/format.js";
import { useTRPC } from "../../trpc.js";
import { amountUnits, moneyUnits, newIdempotencyKey } from "./lib.js";
import { DataTable, MoreRows, QueryBody, Td, WithdrawalBadge } from "./parts.js";

/** Everything a money movement changes: balances, the ledger, limits, withdrawals. */
function useRefreshAccount() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  return () => void queryClient.invalidateQueries(trpc.account.pathFilter());
}

export function DepositCard() {
  const trpc = useTRPC();
  const options = useQuery(trpc.account.paymentOptions.queryOptions());
  return (
    <Card title="Deposit" className="flex flex-col">
      {options.isPending ? (
        <div role="status" aria-label="Loading deposit options" className="flex flex-col gap-3">
          <Skeleton className="h-4 w-2/3" />
          <Skeleton className="h-9 w-full" />
        </div>
      ) : options.isError ? (
        <ErrorState message={errorMessage(options.error)} onRetry={() => void options.refetch()} />
      ) : options.data.faucet.enabled ? (
        <FaucetForm faucet={options.data.faucet} />
      ) : (
        <ManualDeposit instructions={options.data.manual.instructions} />
      )}
    </Card>
  );
}

interface Faucet {
  perRequest: string;
  per24h: string;
  remaining24h: string;
}

function FaucetForm({ faucet }: { faucet: Faucet }) {
  const trpc = useTRPC();
  const refresh = useRefreshAccount();
  const [amount, setAmount] = useState("");
  const [key, setKey] = useState(newIdempotencyKey);
  const deposit = useMutation(
    trpc.account.deposit.mutationOptions({
      onSuccess: (result) => {
        toast.success(`Deposited ${formatXnm(result.entry.amount)}`);
        setAmount("");
        setKey(newIdempotencyKey());
        refresh();
      },
    }),
  );
  const max =
    moneyUnits(faucet.perRequest) < moneyUnits(faucet.remaining24h) ? faucet.perRequest : faucet.remaining24h;
  const maxUnits = moneyUnits(max);
  const units = amountUnits(amount);
  const error =
    amount !== "" && units === null
      ? "Enter an amount above 0"
      : units !== null && units > maxUnits
        ? `At most ${formatXnm(max)} now`
        : undefined;
  const exhausted = maxUnits <= 0n;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (units === null || error || deposit.isPending) return;
    deposit.mutate({ amount, idempotencyKey: key });
  };

  return (
    <form onSubmit={submit} className="flex flex-col gap-4" aria-label="Faucet deposit">
      <p className="text-xs text-fg-2">
        This server runs a test faucet: take free XNM to try renting. The limits below are the server's.
      </p>
      <dl className="grid grid-cols-3 gap-3 text-xs">
        <div className="rounded-md bg-surface-2 px-3 py-2">
          <dt className="text-fg-3">Per request</dt>
          <dd className="mt-0.5 text-fg">
            <XnmAmount value={faucet.perRequest} decimals={2} />
          </dd>
        </div>
        <div className="rounded-md bg-surface-2 px-3 py-2">
          <dt className="text-fg-3">Per 24 h</dt>
          <dd className="mt-0.5 text-fg">
            <XnmAmount value={faucet.per24h} decimals={2} />
          </dd>
        </div>
        <div className="rounded-md bg-surface-2 px-3 py-2">
          <dt className="text-fg-3">Remaining today</dt>
          <dd className="mt-0.5 text-fg" data-testid="faucet-remaining">
            <XnmAmount value={faucet.remaining24h} decimals={2} />
          </dd>
        </div>
      </dl>
      <div className="flex flex-wrap items-start gap-2">
        <AmountInput
          label="Amount"
          value={amount}
          onChange={setAmount}
          error={error}
          placeholder={formatXnm(max, { unit: false, decimals: 2 })}
          fieldClassName="min-w-40 flex-1"
          disabled={exhausted}
        />
        <Button
          variant="secondary"
          size="md"
          className="mt-5.5"
          onClick={() => setAmount(formatXnm(max, { unit: false, decimals: 6 }).replace(/,/g, ""))}
          disabled={exhausted}
        >
          Max
        </Button>
      </div>
      <Button
        type="submit"
        variant="primary"
        disabled={units === null || !!error || deposit.isPending || exhausted}
      >
        {deposit.isPending
          ? "Depositing…"
          : exhausted
            ? "Faucet limit reached for today"
            : "Take from faucet"}
      </Button>
    </form>
  );
}

function ManualDeposit({ instructions }: { instructions: string }) {
  const session = useSession();
  return (
    <div className="flex flex-col gap-3 text-xs text-fg-2">
      <p>The faucet is off on this server. Deposits are credited by an administrator:</p>
      <p className="rounded-md border border-line bg-surface-2 px-3 py-2 text-sm text-fg">{instructions}</p>
      {session && (
        <div className="flex items-center gap-2">
          <span>Your account:</span>
          <span className="font-mono break-all text-fg">{session.me.address}</span>
          <CopyButton value={session.me.address} label="Copy your address" />
        </div>
      )}
    </div>
  );
}

export function WithdrawCard() {
  const trpc = useTRPC();
  const session = useSession();
  const refresh = useRefreshAccount();
  const wallet = session?.me.address ?? "";
  const [amount, setAmount] = useState("");
  const [to, setTo] = useState(wallet);
  const [key, setKey] = useState(newIdempotencyKey);
  useEffect(() => setTo(wallet), [wallet]);
  const balance = useQuery(trpc.account.balance.queryOptions());
  const withdraw = useMutation(
    trpc.account.withdraw.mutationOptions({
      onSuccess: (w) => {
        toast.success(`Withdrawal of ${formatXnm(w.amount)} requested`);
        setAmount("");
        setKey(newIdempotencyKey());
        refresh();
      },
    }),
  );
  const available = balance.data?.available;
  const units = amountUnits(amount);
  const amountError =
    amount !== "" && units === null
      ? "Enter an amount above 0"
      : units !== null && available !== undefined && units > moneyUnits(available)
        ? `More than your available ${formatXnm(available)}`
        : undefined;
  const toError = to.trim() === "" ? "Enter the address to pay out to" : addressError(to);
  const ready = units !== null && !amountError && !toError && !withdraw.isPending;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!ready) return;
    withdraw.mutate({ amount, toAddress: to.trim(), idempotencyKey: key });
  };

  return (
    <Card title="Withdraw" bodyClassName="p-0">
      <form onSubmit={submit} className="flex flex-col gap-4 p-4" aria-label="Withdraw">
        <AmountInput
          label="Amount"
          value={amount}
          onChange={setAmount}
          error={amountError}
          hint={available !== undefined ? `Available: ${formatXnm(available)}` : undefined}
        />
        <AddressInput
          label="Destination"
          value={to}
          onChange={setTo}
          error={to.trim() === "" ? "Enter the address to pay out to" : undefined}
          hint="Your wallet by default"
        />
        <Button type="submit" variant="primary" disabled={!ready}>
          {withdraw.isPending ? "Requesting…" : "Request withdrawal"}
        </Button>
      </form>
      <Withdrawals />
    </Card>
  );
}

function Withdrawals() {
  const trpc = useTRPC();
  const refresh = useRefreshAccount();
  const list = useInfiniteQuery(
    trpc.account.withdrawals.infiniteQueryOptions(
      { limit: 10 },
      { getNextPageParam: (last) => last.nextCursor ?? undefined },
    ),
  );
  const cancel = useMutation(
    trpc.account.cancelWithdrawal.mutationOptions({
      onSuccess: (w) => {
        toast.success(`Withdrawal of ${formatXnm(w.amount)} cancelled`);
        refresh();
      },
    }),
  );
  const items = list.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <section aria-label="Withdrawal requests" className="border-t border-line">
      <h3 className="px-4 pt-3 pb-1 text-xs font-semibold text-fg-2">Your requests</h3>
      <QueryBody
        pending={list.isPending}
        error={list.error}
        empty={items.length === 0}
        emptyTitle="No withdrawals yet"
        loadingLabel="Loading withdrawals"
        onRetry={() => void list.refetch()}
      >
        <DataTable
          label="Withdrawal requests"
          testId="withdrawals"
          columns={[
            { label: "Amount" },
            { label: "To" },
            { label: "State" },
            { label: "Requested" },
            { label: "Action", srOnly: true, align: "right" },
          ]}
        >
          {items.map((w) => (
            <tr key={w.id} className="border-t border-line" data-testid="withdrawal-row">
              <Td>
                <XnmAmount value={w.amount} />
              </Td>
              <Td>
                <AddressText address={w.toAddress} />
              </Td>
              <Td>
                <span title={w.reason ?? w.reference ?? undefined}>
                  <WithdrawalBadge state={w.state} />
                </span>
              </Td>
              <Td>
                <TimeAgo at={w.createdAt} className="text-fg-2" />
              </Td>
              <Td align="right">
                {w.state === "requested" ? (
                  <Button
                    size="sm"
                    variant="ghost"
                    disabled={cancel.isPending}
                    onClick={() => cancel.mutate({ id: w.id })}
                    aria-label={`Cancel the withdrawal of ${formatXnm(w.amount)}`}
                  >
                    Cancel
                  </Button>
                ) : (
                  <span className="text-2xs text-fg-3">
                    {w.reference ?? w.reason ?? (w.resolvedAt ? <TimeAgo at={w.resolvedAt} /> : "")}
                  </span>
                )}
              </Td>
            </tr>
          ))}
        </DataTable>
        <MoreRows
          hasMore={list.hasNextPage}
          loading={list.isFetchingNextPage}
          onLoad={() => void list.fetchNextPage()}
        />
      </QueryBody>
    </section>
  );
}
