/**
 * Lease figures that move with blocks: `blocksAccepted` and a lease's block list change on the server
 * with each block, but only lease *state* changes arrive on `live.leases`. When a live `block` event
 * names one of `leaseIds`, the rental queries are refetched (the server's counts, never counted here).
 */
import { useQueryClient } from "@tanstack/react-query";
import { useEffect } from "react";
import { useLive } from "../../app/context.js";

export function useRefreshOnLeaseBlocks(leaseIds: readonly string[]): void {
  const queryClient = useQueryClient();
  const key = leaseIds.join(",");
  const newest = useLive((s) => {
    if (key === "") return null;
    const ids = new Set(key.split(","));
    return s.data.blocks.find((b) => b.leaseId !== null && ids.has(b.leaseId))?.id ?? null;
  });
  useEffect(() => {
    if (newest === null) return;
    void queryClient.invalidateQueries({ queryKey: [["rental"]] });
  }, [newest, queryClient]);
}
