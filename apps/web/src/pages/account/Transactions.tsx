/** Transaction history (ui.md §2 Account): the caller's ledger lines, newest first, type filter, cursor pages. */
import { useInfiniteQuery } from "@tanstack/react-query";
import { useState } from "react";
import { Select } from "../../components/form.js";
import { Card } from "../../components/ui.js";
import { HashText, XnmAmount } from "../../components/values.js";
import { formatDateTime, middleTruncate } from "../../lib/format.js";
import { useOpenDrawer } from "../../shell/GlobalDrawers.js";
import { useTRPC } from "../../trpc.js";
import { TRANSFER_TYPES, type TransferType, transferLabel } from "./lib.js";
import { DataTable, MoreRows, QueryBody, SignedAmount, Td } from "./parts.js";

type Filter = TransferType | "all";

const OPTIONS = [
  { value: "all" as Filter, label: "All types" },
  ...TRANSFER_TYPES.map((t) => ({ value: t as Filter, label: transferLabel(t) })),
];

export function Transactions() {
  const trpc = useTRPC();
  const openDrawer = useOpenDrawer();
  const [type, setType] = useState<Filter>("all");
  const list = useInfiniteQuery(
    trpc.account.transactions.infiniteQueryOptions(
      { limit: 20, ...(type !== "all" && { type }) },
      { getNextPageParam: (last) => last.nextCursor ?? undefined },
    ),
  );
  const items = list.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <Card
      title="Transaction history"
      actions={
        <Select
          aria-label="Transaction type"
          value={type}
          onChange={setType}
          options={OPTIONS}
          className="h-8 w-48 text-xs"
        />
      }
      bodyClassName="p-0"
    >
      <QueryBody
        pending={list.isPending}
        error={list.error}
        empty={items.length === 0}
        emptyTitle={type === "all" ? "No transactions yet" : `No ${transferLabel(type).toLowerCase()} lines`}
        emptyText={
          type === "all" ? "Deposits, lease payments, refunds and withdrawals appear here." : undefined
        }
        loadingLabel="Loading transactions"
        onRetry={() => void list.refetch()}
      >
        <DataTable
          label="Transactions"
          testId="transactions"
          columns={[
            { label: "When" },
            { label: "Type" },
            { label: "Reference" },
            { label: "Amount", align: "right" },
            { label: "Balance after", align: "right" },
          ]}
        >
          {items.map((t) => (
            <tr key={t.id} className="border-t border-line" data-testid="transaction-row" data-type={t.type}>
              <Td className="text-fg-2 tabular">{formatDateTime(t.at)}</Td>
              <Td className="text-fg">{transferLabel(t.type)}</Td>
              <Td>
                {t.reference.kind === "lease" ? (
                  <button
                    type="button"
                    className="font-mono text-xs text-fg-2 hover:text-accent"
                    onClick={() => openDrawer("lease", t.reference.id)}
                    title={t.reference.id}
                  >
                    lease {middleTruncate(t.reference.id, 10, 4)}
                  </button>
                ) : (
                  <span className="text-fg-2" title={`${t.reference.kind} ${t.reference.id}`}>
                    <HashText value={t.reference.id} head={6} tail={4} copy={t.reference.id.length > 12} />
                  </span>
                )}
              </Td>
              <Td align="right">
                <SignedAmount value={t.amount} />
              </Td>
              <Td align="right">
                <XnmAmount value={t.balanceAfter} className="text-fg-2" />
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
    </Card>
  );
}
