/** The withdrawal queue (admin): requests of every account; complete with a payment reference or reject with a reason. */
import { useInfiniteQuery, useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { toast } from "sonner";
import { Dialog } from "../../../components/Dialog.js";
import { Input, Select } from "../../../components/form.js";
import { Button } from "../../../components/ui.js";
import { AddressText, TimeAgo, XnmAmount } from "../../../components/values.js";
import { formatXnm } from "../../../lib/format.js";
import { useTRPC } from "../../../trpc.js";
import type { WithdrawalState } from "../lib.js";
import { DataTable, MoreRows, QueryBody, Td, WithdrawalBadge } from "../parts.js";

type Filter = WithdrawalState | "all";

interface Resolving {
  id: string;
  action: "complete" | "reject";
  amount: string;
  account: string;
  toAddress: string;
}

export function AdminWithdrawals() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [state, setState] = useState<Filter>("requested");
  const [resolving, setResolving] = useState<Resolving | null>(null);
  const [note, setNote] = useState("");
  const list = useInfiniteQuery(
    trpc.admin.withdrawals.infiniteQueryOptions(
      { limit: 20, ...(state !== "all" && { state }) },
      { getNextPageParam: (last) => last.nextCursor ?? undefined },
    ),
  );
  const resolve = useMutation(
    trpc.admin.resolveWithdrawal.mutationOptions({
      onSuccess: (w) => {
        toast.success(`Withdrawal of ${formatXnm(w.amount)} ${w.state}`);
        setResolving(null);
        void queryClient.invalidateQueries(trpc.admin.withdrawals.pathFilter());
        void queryClient.invalidateQueries(trpc.admin.status.pathFilter());
        void queryClient.invalidateQueries(trpc.admin.audit.pathFilter());
        void queryClient.invalidateQueries(trpc.admin.accounts.pathFilter());
        void queryClient.invalidateQueries(trpc.account.pathFilter());
      },
    }),
  );
  const items = list.data?.pages.flatMap((p) => p.items) ?? [];
  const open = (w: Omit<Resolving, "action">, action: Resolving["action"]) => {
    setNote("");
    setResolving({ ...w, action });
  };
  const submit = (e?: FormEvent) => {
    e?.preventDefault();
    if (!resolving || note.trim() === "" || resolve.isPending) return;
    resolve.mutate({
      id: resolving.id,
      action: resolving.action,
      ...(resolving.action === "complete" ? { reference: note.trim() } : { reason: note.trim() }),
    });
  };
  const completing = resolving?.action === "complete";

  return (
    <div>
      <div className="flex flex-wrap items-end gap-3 p-4">
        <Select
          label="State"
          value={state}
          onChange={setState}
          fieldClassName="w-44"
          options={[
            { value: "requested", label: "Requested" },
            { value: "completed", label: "Completed" },
            { value: "rejected", label: "Rejected" },
            { value: "cancelled", label: "Cancelled" },
            { value: "all", label: "All" },
          ]}
        />
      </div>
      <QueryBody
        pending={list.isPending}
        error={list.error}
        empty={items.length === 0}
        emptyTitle={state === "requested" ? "The queue is empty" : "No withdrawals"}
        loadingLabel="Loading withdrawals"
        onRetry={() => void list.refetch()}
      >
        <DataTable
          label="Withdrawal queue"
          testId="admin-withdrawals"
          columns={[
            { label: "Account" },
            { label: "Amount", align: "right" },
            { label: "Pay to" },
            { label: "State" },
            { label: "Requested" },
            { label: "Reference / reason" },
            { label: "Actions", srOnly: true, align: "right" },
          ]}
        >
          {items.map((w) => (
            <tr key={w.id} className="border-t border-line" data-testid="admin-withdrawal-row">
              <Td>
                <AddressText address={w.account} />
              </Td>
              <Td align="right">
                <XnmAmount value={w.amount} />
              </Td>
              <Td>
                <AddressText address={w.toAddress} />
              </Td>
              <Td>
                <WithdrawalBadge state={w.state} />
              </Td>
              <Td>
                <TimeAgo at={w.createdAt} className="text-fg-2" />
              </Td>
              <Td className="max-w-48 truncate text-fg-2">{w.reference ?? w.reason ?? "—"}</Td>
              <Td align="right">
                {w.state === "requested" && (
                  <span className="inline-flex gap-1">
                    <Button size="sm" variant="secondary" onClick={() => open(w, "complete")}>
                      Complete
                    </Button>
                    <Button
                      size="sm"
                      variant="ghost"
                      className="text-danger"
                      onClick={() => open(w, "reject")}
                    >
                      Reject
                    </Button>
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

      <Dialog
        open={resolving !== null}
        onClose={() => setResolving(null)}
        busy={resolve.isPending}
        title={completing ? "Complete this withdrawal" : "Reject this withdrawal"}
        description={
          resolving
            ? completing
              ? `Record that ${formatXnm(resolving.amount)} was paid out to ${resolving.toAddress}.`
              : `${formatXnm(resolving.amount)} returns to ${resolving.account}'s available balance.`
            : undefined
        }
        footer={
          <>
            <Button variant="ghost" onClick={() => setResolving(null)} disabled={resolve.isPending}>
              Cancel
            </Button>
            <Button
              variant={completing ? "primary" : "danger"}
              onClick={() => submit()}
              disabled={note.trim() === "" || resolve.isPending}
            >
              {resolve.isPending ? "Working…" : completing ? "Mark completed" : "Reject"}
            </Button>
          </>
        }
      >
        <form onSubmit={submit}>
          <Input
            label={completing ? "Payment reference" : "Reason"}
            hint={completing ? "e.g. the transaction hash of the payout" : "Shown to the account holder"}
            value={note}
            onChange={(e) => setNote(e.target.value)}
            maxLength={completing ? 128 : 200}
            mono={completing}
          />
        </form>
      </Dialog>
    </div>
  );
}
