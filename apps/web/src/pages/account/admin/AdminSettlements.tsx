/** Settlements (admin): every settled lease, filtered by lease id or an address (renter or provider). */
import { useInfiniteQuery } from "@tanstack/react-query";
import { useState } from "react";
import { StatusBadge } from "../../../components/badges.js";
import { AddressInput, addressError, Input } from "../../../components/form.js";
import { AddressText, DurationText, TimeAgo, XnmAmount } from "../../../components/values.js";
import { middleTruncate } from "../../../lib/format.js";
import { useOpenDrawer } from "../../../shell/GlobalDrawers.js";
import { useTRPC } from "../../../trpc.js";
import { DataTable, MoreRows, QueryBody, Td } from "../parts.js";
import { useDebounced } from "./use-debounced.js";

export function AdminSettlements() {
  const trpc = useTRPC();
  const openDrawer = useOpenDrawer();
  const [leaseText, setLeaseText] = useState("");
  const [addressText, setAddressText] = useState("");
  const leaseId = useDebounced(leaseText.trim());
  const address = useDebounced(addressText.trim());
  const addressOk = address !== "" && addressError(address) === null;
  const list = useInfiniteQuery(
    trpc.admin.settlements.infiniteQueryOptions(
      { limit: 20, ...(leaseId !== "" && { leaseId }), ...(addressOk && { address }) },
      { getNextPageParam: (last) => last.nextCursor ?? undefined },
    ),
  );
  const items = list.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <div>
      <div className="grid grid-cols-1 gap-3 p-4 md:grid-cols-2">
        <Input
          label="Lease id"
          value={leaseText}
          onChange={(e) => setLeaseText(e.target.value)}
          placeholder="lease-…"
          maxLength={128}
          mono
        />
        <AddressInput label="Renter or provider" value={addressText} onChange={setAddressText} />
      </div>
      <QueryBody
        pending={list.isPending}
        error={list.error}
        empty={items.length === 0}
        emptyTitle={leaseId || addressOk ? "No settlement matches" : "No settlements yet"}
        loadingLabel="Loading settlements"
        onRetry={() => void list.refetch()}
      >
        <DataTable
          label="Settlements"
          testId="admin-settlements"
          columns={[
            { label: "Lease" },
            { label: "Renter" },
            { label: "Provider" },
            { label: "State" },
            { label: "Billed", align: "right" },
            { label: "Total", align: "right" },
            { label: "Fee", align: "right" },
            { label: "To provider", align: "right" },
            { label: "Refund", align: "right" },
            { label: "Settled" },
          ]}
        >
          {items.map((s) => (
            <tr key={s.leaseId} className="border-t border-line">
              <Td>
                <button
                  type="button"
                  className="font-mono text-fg-2 hover:text-accent"
                  title={s.leaseId}
                  onClick={() => openDrawer("lease", s.leaseId)}
                >
                  {middleTruncate(s.leaseId, 10, 4)}
                </button>
              </Td>
              <Td>
                <AddressText address={s.renter} copy={false} />
              </Td>
              <Td>
                <AddressText address={s.provider} copy={false} />
              </Td>
              <Td>
                <StatusBadge state={s.state} />
              </Td>
              <Td align="right">
                <DurationText seconds={s.billedSec} />
              </Td>
              <Td align="right">
                <XnmAmount value={s.total} decimals={4} />
              </Td>
              <Td align="right">
                <XnmAmount value={s.fee} decimals={4} className="text-fg-2" />
              </Td>
              <Td align="right">
                <XnmAmount value={s.providerAmount} decimals={4} />
              </Td>
              <Td align="right">
                <XnmAmount value={s.refund} decimals={4} className="text-fg-2" />
              </Td>
              <Td>
                <TimeAgo at={s.settledAt} className="text-fg-2" />
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
    </div>
  );
}
