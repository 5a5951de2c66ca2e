/** One listing as a grid card or a list row (ui.md §2 Marketplace). */
import { Button, cx, Tooltip } from "../../components/ui.js";
import { DurationText, HashrateText } from "../../components/values.js";
import { formatPercent, middleTruncate } from "../../lib/format.js";
import {
  GpuBadge,
  type Listing,
  ListingStateBadge,
  PriceText,
  ReputationStars,
  rentBlocker,
} from "./parts.js";

interface Props {
  listing: Listing;
  me: string | null;
  onRent: (listing: Listing) => void;
  onOpen: (workerId: string) => void;
}

function RentButton({ listing, me, onRent }: Omit<Props, "onOpen">) {
  const blocker = me === null ? "Connect your wallet to rent" : rentBlocker(listing, me);
  const button = (
    <Button
      variant={blocker === null ? "primary" : "secondary"}
      size="sm"
      disabled={blocker !== null}
      aria-disabled={blocker !== null}
      aria-label={blocker ? `Rent ${listing.workerId}: ${blocker}` : `Rent worker ${listing.workerId}`}
      onClick={() => onRent(listing)}
      data-testid="rent-button"
    >
      Rent
    </Button>
  );
  if (blocker === null) return button;
  return (
    <Tooltip content={blocker}>
      {/* A disabled button gets no hover: the wrapper carries the tooltip. */}
      <span className="inline-flex">{button}</span>
    </Tooltip>
  );
}

function WorkerLink({ workerId, onOpen }: { workerId: string; onOpen: (id: string) => void }) {
  return (
    <button
      type="button"
      onClick={() => onOpen(workerId)}
      title={`Worker ${workerId}`}
      className="truncate font-mono text-xs text-fg-2 hover:text-accent"
    >
      {middleTruncate(workerId, 10, 4)}
    </button>
  );
}

export function ListingCard({ listing: l, me, onRent, onOpen }: Props) {
  return (
    <article
      aria-label={`Worker ${l.workerId}`}
      data-testid="listing"
      data-worker={l.workerId}
      className="flex min-w-0 flex-col gap-3 rounded-lg border border-line bg-surface-1 p-4 transition-colors hover:border-line-hover"
    >
      <div className="flex items-start justify-between gap-2">
        <div className="min-w-0">
          <GpuBadge summary={l.gpuSummary} memoryGb={l.totalMemoryGb} />
          <div className="mt-1.5">
            <WorkerLink workerId={l.workerId} onOpen={onOpen} />
          </div>
        </div>
        <ListingStateBadge listing={l} />
      </div>
      <div className="flex items-end justify-between gap-2">
        <div>
          <div className="text-2xs text-fg-3">Hashrate</div>
          <HashrateText value={l.hashrate} className="font-mono text-xl font-semibold text-fg" />
        </div>
        <div className="text-right">
          <div className="text-2xs text-fg-3">Price</div>
          <PriceText perHour={l.pricePerHour} perSec={l.pricePerSec} className="text-sm" />
        </div>
      </div>
      <dl className="grid grid-cols-3 gap-2 border-t border-line pt-3 text-xs">
        <div className="min-w-0">
          <dt className="text-2xs text-fg-3">Duration</dt>
          <dd className="truncate text-fg-2">
            <DurationText seconds={l.minDurationSec} />–<DurationText seconds={l.maxDurationSec} />
          </dd>
        </div>
        <div>
          <dt className="text-2xs text-fg-3">Uptime</dt>
          <dd className="text-fg-2 tabular">{formatPercent(l.uptimePct)}</dd>
        </div>
        <div>
          <dt className="text-2xs text-fg-3">Lease blocks</dt>
          <dd className="text-fg-2 tabular">{l.leaseBlocks}</dd>
        </div>
      </dl>
      <div className="mt-auto flex items-center justify-between gap-2">
        <ReputationStars stars={l.reputation.stars} score={l.reputation.score} />
        <div className="flex min-w-0 items-center gap-2">
          {me !== null && rentBlocker(l, me) && (
            <span className="truncate text-2xs text-fg-3" data-testid="rent-reason">
              {rentBlocker(l, me)}
            </span>
          )}
          <RentButton listing={l} me={me} onRent={onRent} />
        </div>
      </div>
    </article>
  );
}

export function ListingTable({
  listings,
  me,
  onRent,
  onOpen,
  dim,
}: {
  listings: Listing[];
  me: string | null;
  onRent: (l: Listing) => void;
  onOpen: (workerId: string) => void;
  dim: boolean;
}) {
  return (
    <div className={cx("overflow-x-auto", dim && "opacity-60")}>
      <table className="w-full min-w-[900px] text-xs">
        <thead className="text-left text-2xs text-fg-3">
          <tr className="border-b border-line">
            <th scope="col" className="px-4 py-2 font-medium">
              GPUs
            </th>
            <th scope="col" className="px-2 py-2 font-medium">
              Worker
            </th>
            <th scope="col" className="px-2 py-2 text-right font-medium">
              Hashrate
            </th>
            <th scope="col" className="px-2 py-2 text-right font-medium">
              Price
            </th>
            <th scope="col" className="px-2 py-2 font-medium">
              Duration
            </th>
            <th scope="col" className="px-2 py-2 font-medium">
              Reputation
            </th>
            <th scope="col" className="px-2 py-2 text-right font-medium">
              Uptime
            </th>
            <th scope="col" className="px-2 py-2 text-right font-medium">
              Lease blocks
            </th>
            <th scope="col" className="px-2 py-2 font-medium">
              State
            </th>
            <th scope="col" className="px-4 py-2 text-right font-medium">
              <span className="sr-only">Rent</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {listings.map((l) => (
            <tr
              key={l.workerId}
              data-testid="listing"
              data-worker={l.workerId}
              className="border-b border-line last:border-b-0 hover:bg-hover"
            >
              <td className="max-w-64 px-4 py-2">
                <GpuBadge summary={l.gpuSummary} memoryGb={l.totalMemoryGb} />
              </td>
              <td className="px-2 py-2">
                <WorkerLink workerId={l.workerId} onOpen={onOpen} />
              </td>
              <td className="px-2 py-2 text-right font-mono">
                <HashrateText value={l.hashrate} />
              </td>
              <td className="px-2 py-2 text-right">
                <PriceText perHour={l.pricePerHour} perSec={l.pricePerSec} />
              </td>
              <td className="px-2 py-2 whitespace-nowrap text-fg-2">
                <DurationText seconds={l.minDurationSec} />–<DurationText seconds={l.maxDurationSec} />
              </td>
              <td className="px-2 py-2">
                <ReputationStars stars={l.reputation.stars} score={l.reputation.score} />
              </td>
              <td className="px-2 py-2 text-right tabular text-fg-2">{formatPercent(l.uptimePct)}</td>
              <td className="px-2 py-2 text-right tabular text-fg-2">{l.leaseBlocks}</td>
              <td className="px-2 py-2">
                <ListingStateBadge listing={l} />
              </td>
              <td className="px-4 py-2 text-right">
                <RentButton listing={l} me={me} onRent={onRent} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
