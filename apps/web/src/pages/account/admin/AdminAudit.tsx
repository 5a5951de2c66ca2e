/** The audit log (admin): what admins and owners did, newest first. */
import { useInfiniteQuery } from "@tanstack/react-query";
import { AddressText } from "../../../components/values.js";
import { isAddress } from "../../../lib/address.js";
import { formatDateTime } from "../../../lib/format.js";
import { useTRPC } from "../../../trpc.js";
import { DataTable, MoreRows, QueryBody, Td } from "../parts.js";

function Who({ text }: { text: string }) {
  return isAddress(text) ? (
    <AddressText address={text} />
  ) : (
    <span className="font-mono text-fg-2">{text}</span>
  );
}

export function AdminAudit() {
  const trpc = useTRPC();
  const list = useInfiniteQuery(
    trpc.admin.audit.infiniteQueryOptions(
      { limit: 25 },
      { getNextPageParam: (last) => last.nextCursor ?? undefined },
    ),
  );
  const items = list.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <QueryBody
      pending={list.isPending}
      error={list.error}
      empty={items.length === 0}
      emptyTitle="Nothing audited yet"
      emptyText="Bans, credits, withdrawals and controls of other owners' workers are recorded here."
      loadingLabel="Loading the audit log"
      onRetry={() => void list.refetch()}
    >
      <DataTable
        label="Audit log"
        testId="admin-audit"
        columns={[
          { label: "When" },
          { label: "Actor" },
          { label: "Action" },
          { label: "Target" },
          { label: "Result" },
        ]}
      >
        {items.map((a) => (
          <tr key={a.id} className="border-t border-line" data-testid="audit-row" data-action={a.action}>
            <Td className="text-fg-2 tabular">{formatDateTime(a.at)}</Td>
            <Td>
              <Who text={a.actor} />
            </Td>
            <Td className="font-medium text-fg">{a.action}</Td>
            <Td>
              <Who text={a.target} />
            </Td>
            <Td className="max-w-72 truncate text-fg-2">
              <span title={a.result}>{a.result}</span>
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
  );
}
