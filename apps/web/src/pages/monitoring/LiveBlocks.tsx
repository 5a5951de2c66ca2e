/** The newest 20 blocks: the snapshot, then `block` events; chain status filled in by `block_chain`. */
import { useLive } from "../../app/context.js";
import { Badge, BlockTypeBadge, StatusBadge } from "../../components/badges.js";
import { Card, EmptyState, SkeletonRows } from "../../components/ui.js";
import { TimeAgo } from "../../components/values.js";
import { middleTruncate } from "../../lib/format.js";
import { useOpenDrawer } from "../../shell/GlobalDrawers.js";

export function LiveBlocks() {
  const blocks = useLive((s) => s.data.blocks);
  const loaded = useLive((s) => s.data.eventId !== null);
  const openDrawer = useOpenDrawer();
  return (
    <Card
      title="Live blocks"
      actions={<span className="text-2xs text-fg-3">newest 20</span>}
      bodyClassName="p-0"
    >
      {!loaded ? (
        <div className="p-4">
          <SkeletonRows rows={6} label="Loading blocks" />
        </div>
      ) : blocks.length === 0 ? (
        <EmptyState title="No blocks yet">Blocks appear here the moment a worker submits one.</EmptyState>
      ) : (
        <div className="max-h-[360px] overflow-auto">
          <table className="w-full text-xs" data-testid="live-blocks">
            <thead className="sticky top-0 bg-surface-1 text-left text-2xs text-fg-3">
              <tr>
                <th scope="col" className="px-4 py-2 font-medium">
                  Type
                </th>
                <th scope="col" className="px-2 py-2 font-medium">
                  Worker
                </th>
                <th scope="col" className="px-2 py-2 font-medium">
                  Lease
                </th>
                <th scope="col" className="px-2 py-2 font-medium">
                  Status
                </th>
                <th scope="col" className="px-2 py-2 font-medium">
                  Chain
                </th>
                <th scope="col" className="px-4 py-2 text-right font-medium">
                  When
                </th>
              </tr>
            </thead>
            <tbody>
              {blocks.map((b) => (
                <tr key={b.id} className="border-t border-line">
                  <td className="px-4 py-2">
                    <BlockTypeBadge type={b.blockType} />
                  </td>
                  <td className="px-2 py-2">
                    <button
                      type="button"
                      className="font-mono text-fg hover:text-accent"
                      onClick={() => openDrawer("worker", b.workerId)}
                    >
                      {middleTruncate(b.workerId, 8, 4)}
                    </button>
                  </td>
                  <td className="px-2 py-2">
                    {b.leaseId ? (
                      <button
                        type="button"
                        className="font-mono text-fg-2 hover:text-accent"
                        onClick={() => openDrawer("lease", b.leaseId as string)}
                      >
                        {middleTruncate(b.leaseId, 10, 4)}
                      </button>
                    ) : (
                      <span className="text-fg-3">self</span>
                    )}
                  </td>
                  <td className="px-2 py-2" title={b.rejectReason}>
                    <StatusBadge state={b.status} />
                  </td>
                  <td className="px-2 py-2">
                    {b.chainStatus ? (
                      <StatusBadge state={b.chainStatus} />
                    ) : (
                      <Badge tone="muted">awaiting</Badge>
                    )}
                  </td>
                  <td className="px-4 py-2 text-right">
                    <TimeAgo at={b.receivedAt} className="text-fg-3" />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Card>
  );
}
