/** Accounts (admin): every account with balances and roles, searched by address on the server. */
import { useInfiniteQuery } from "@tanstack/react-query";
import { useState } from "react";
import { Badge } from "../../../components/badges.js";
import { Input } from "../../../components/form.js";
import { IconSearch } from "../../../components/icons.js";
import { Button } from "../../../components/ui.js";
import { AddressText, TimeAgo, XnmAmount } from "../../../components/values.js";
import { useTRPC } from "../../../trpc.js";
import { DataTable, MoreRows, QueryBody, Td } from "../parts.js";
import { useDebounced } from "./use-debounced.js";

export function AdminAccounts({ onCredit }: { onCredit: (address: string) => void }) {
  const trpc = useTRPC();
  const [text, setText] = useState("");
  const search = useDebounced(text.trim());
  const list = useInfiniteQuery(
    trpc.admin.accounts.infiniteQueryOptions(
      { limit: 20, ...(search !== "" && { search }) },
      { getNextPageParam: (last) => last.nextCursor ?? undefined },
    ),
  );
  const items = list.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <div>
      <div className="p-4">
        <Input
          type="search"
          aria-label="Search accounts by address"
          placeholder="Search by address (or part of one)"
          value={text}
          onChange={(e) => setText(e.target.value)}
          maxLength={42}
          prefix={<IconSearch size={14} />}
          mono
          fieldClassName="max-w-md"
        />
      </div>
      <QueryBody
        pending={list.isPending}
        error={list.error}
        empty={items.length === 0}
        emptyTitle={search ? "No account matches" : "No accounts yet"}
        loadingLabel="Loading accounts"
        onRetry={() => void list.refetch()}
      >
        <DataTable
          label="Accounts"
          testId="admin-accounts"
          columns={[
            { label: "Address" },
            { label: "Roles" },
            { label: "Available", align: "right" },
            { label: "In escrow", align: "right" },
            { label: "Workers", align: "right" },
            { label: "Since" },
            { label: "Action", srOnly: true, align: "right" },
          ]}
        >
          {items.map((a) => (
            <tr key={a.address} className="border-t border-line" data-testid="admin-account-row">
              <Td>
                <AddressText address={a.address} />
              </Td>
              <Td>
                <span className="inline-flex gap-1">
                  {a.isAdmin && <Badge tone="warning">Admin</Badge>}
                  {a.isProvider && <Badge tone="info">Provider</Badge>}
                  {!a.isAdmin && !a.isProvider && <span className="text-fg-3">—</span>}
                </span>
              </Td>
              <Td align="right">
                <XnmAmount value={a.available} decimals={2} />
              </Td>
              <Td align="right">
                <XnmAmount value={a.escrowed} decimals={2} className="text-fg-2" />
              </Td>
              <Td align="right" className="tabular">
                {a.workerCount}
              </Td>
              <Td>
                <TimeAgo at={a.createdAt} className="text-fg-2" />
              </Td>
              <Td align="right">
                <Button
                  size="sm"
                  variant="ghost"
                  onClick={() => onCredit(a.address)}
                  aria-label={`Credit ${a.address}`}
                >
                  Credit
                </Button>
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
