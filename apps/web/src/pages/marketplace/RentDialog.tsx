/**
 * The Rent dialog (ui.md §2): mining address (the wallet by default, validated, EIP-55 shown), duration
 * presets and a custom duration within the worker's bounds, the live `marketplace.estimate` breakdown,
 * the available balance with "Add funds" when short; confirm → `rental.rent` with an idempotency key.
 * In auto-match mode no worker is named: the server's matching picks the best value for the filters.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { type ReactNode, useEffect, useId, useState } from "react";
import { toast } from "sonner";
import type { Outputs } from "../../api-types.js";
import { useSession } from "../../app/context.js";
import { DetailList } from "../../components/DetailList.js";
import { Dialog } from "../../components/Dialog.js";
import { AddressInput, addressError, Input } from "../../components/form.js";
import { IconAlert } from "../../components/icons.js";
import { Button, cx, Segmented, Skeleton } from "../../components/ui.js";
import { DurationText, HashText, XnmAmount } from "../../components/values.js";
import { toChecksumAddress } from "../../lib/address.js";
import { errorMessage } from "../../lib/errors.js";
import { formatDuration, formatXnm } from "../../lib/format.js";
import { useTRPC } from "../../trpc.js";
import { isLess, newIdempotencyKey, perHour } from "./money.js";
import { GpuBadge, type Listing } from "./parts.js";

export type RentTarget =
  | { kind: "worker"; listing: Listing }
  | {
      kind: "auto";
      /** The filters the server's matching understands. */
      filters: { gpu?: string; minHashrate?: number; maxPricePerSec?: string };
      /** Filters set on the page that matching cannot apply (minimum GPUs, memory, search). */
      ignored: string[];
    };

export type Lease = Outputs["rental"]["rent"];

const PRESETS = [
  { sec: 3_600, label: "1 h" },
  { sec: 21_600, label: "6 h" },
  { sec: 86_400, label: "24 h" },
] as const;

type Choice = "3600" | "21600" | "86400" | "custom";

/** Hours as typed ("1.5") → whole seconds; null when not a positive number. */
function hoursToSec(text: string): number | null {
  if (!/^\d{1,5}(\.\d{1,4})?$/.test(text.trim())) return null;
  const sec = Math.round(Number(text) * 3_600);
  return sec > 0 ? sec : null;
}

function useDebounced<T>(value: T, ms: number): T {
  const [current, setCurrent] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setCurrent(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return current;
}

export function RentDialog({
  target,
  defaultDurationSec,
  onClose,
  onRented,
}: {
  target: RentTarget;
  defaultDurationSec?: number | undefined;
  onClose: () => void;
  onRented?: (lease: Lease) => void;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const session = useSession();
  const formId = useId();
  const listing = target.kind === "worker" ? target.listing : null;
  const minSec = listing?.minDurationSec ?? 1;
  const maxSec = listing?.maxDurationSec ?? Number.MAX_SAFE_INTEGER;
  const inBounds = (sec: number) => sec >= minSec && sec <= maxSec;

  const initial = (): { choice: Choice; custom: string } => {
    const wanted = defaultDurationSec ?? 3_600;
    const preset = PRESETS.find((p) => p.sec === wanted && inBounds(p.sec));
    if (preset) return { choice: String(preset.sec) as Choice, custom: "" };
    const clamped = Math.min(Math.max(wanted, minSec), maxSec);
    return { choice: "custom", custom: String(Math.round((clamped / 3_600) * 10_000) / 10_000) };
  };
  const [{ choice, custom }, setDuration] = useState(initial);
  const [address, setAddress] = useState(session ? toChecksumAddress(session.me.address) : "");
  // One key per dialog: a double click or a retry after a lost answer cannot rent twice.
  const [idempotencyKey] = useState(newIdempotencyKey);

  const durationSec = choice === "custom" ? hoursToSec(custom) : Number(choice);
  const durationProblem =
    durationSec === null
      ? "Enter the duration in hours, e.g. 2 or 1.5"
      : !inBounds(durationSec)
        ? `This worker rents for ${formatDuration(minSec)} to ${formatDuration(maxSec)}`
        : null;
  const addressProblem = address.trim() === "" ? "A mining address is required" : addressError(address);
  const estimateDuration = useDebounced(durationProblem === null ? durationSec : null, 250);

  const estimateInput = {
    durationSec: estimateDuration ?? 1,
    ...(listing ? { workerId: listing.workerId } : target.kind === "auto" ? target.filters : {}),
  };
  const estimate = useQuery({
    ...trpc.marketplace.estimate.queryOptions(estimateInput),
    enabled: estimateDuration !== null,
    retry: false,
    staleTime: 5_000,
  });
  const balance = useQuery({ ...trpc.account.balance.queryOptions(), enabled: session !== null });

  const rent = useMutation(
    trpc.rental.rent.mutationOptions({
      onSuccess: (lease) => {
        toast.success(`Lease created on ${lease.workerId}`, {
          description: "Waiting for the worker to confirm (≤ 30 s). Unused time is refunded.",
        });
        void queryClient.invalidateQueries({ queryKey: [["rental"]] });
        void queryClient.invalidateQueries({ queryKey: [["account", "balance"]] });
        void queryClient.invalidateQueries({ queryKey: [["marketplace"]] });
        onRented?.(lease);
        onClose();
      },
    }),
  );

  const quote = estimate.data && estimateDuration !== null && !estimate.isError ? estimate.data : null;
  const short = quote && balance.data ? isLess(balance.data.available, quote.total) : false;
  const fresh = quote !== null && durationSec === estimateDuration;
  const canRent =
    session !== null &&
    durationProblem === null &&
    addressProblem === null &&
    fresh &&
    !short &&
    !rent.isPending;

  const submit = () => {
    if (!canRent || !quote || durationSec === null) return;
    rent.mutate({
      durationSec,
      // Auto-match rents the worker the estimate quoted, so the price shown is the price paid.
      workerId: quote.workerId,
      consumerAddress: address.trim(),
      idempotencyKey,
    });
  };

  return (
    <Dialog
      open
      onClose={onClose}
      busy={rent.isPending}
      title={listing ? "Rent worker" : "Auto-match the best value"}
      description={
        listing ? (
          <span className="font-mono">{listing.workerId}</span>
        ) : (
          "The server picks the best-value available worker for your filters and duration."
        )
      }
      testId="rent-dialog"
      footer={
        <>
          <Button variant="ghost" onClick={onClose} disabled={rent.isPending}>
            Cancel
          </Button>
          <Button
            variant="primary"
            type="submit"
            form={formId}
            disabled={!canRent}
            data-testid="rent-confirm"
          >
            {rent.isPending ? "Renting…" : quote ? `Rent for ${formatXnm(quote.total)}` : "Rent"}
          </Button>
        </>
      }
    >
      <form
        id={formId}
        className="flex flex-col gap-4"
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        {listing && (
          <div className="flex flex-wrap items-center gap-2">
            <GpuBadge summary={listing.gpuSummary} memoryGb={listing.totalMemoryGb} />
            <span className="text-xs text-fg-2">
              rents for <DurationText seconds={listing.minDurationSec} /> to{" "}
              <DurationText seconds={listing.maxDurationSec} />
            </span>
          </div>
        )}
        {target.kind === "auto" && target.ignored.length > 0 && (
          <p className="rounded-md border border-warning/30 bg-warning-muted px-3 py-2 text-xs text-warning">
            Matching uses GPU model, minimum hashrate, maximum price and duration; it does not apply{" "}
            {target.ignored.join(", ")}.
          </p>
        )}

        <AddressInput
          label="Mining address"
          value={address}
          onChange={setAddress}
          error={address.trim() === "" ? "A mining address is required" : undefined}
          hint="Blocks mined during the lease are credited to this address."
          data-testid="rent-address"
        />

        <fieldset className="flex flex-col gap-2">
          <legend className="mb-1.5 text-xs font-medium text-fg-2">Duration</legend>
          <div className="flex flex-wrap items-start gap-3">
            <Segmented<Choice>
              label="Duration preset"
              value={choice}
              onChange={(v) => setDuration((d) => ({ ...d, choice: v }))}
              options={[
                ...PRESETS.map((p) => ({
                  value: String(p.sec) as Choice,
                  label: <span className={cx(!inBounds(p.sec) && "line-through opacity-60")}>{p.label}</span>,
                })),
                { value: "custom" as const, label: "Custom" },
              ]}
            />
            {choice === "custom" && (
              <Input
                aria-label="Custom duration in hours"
                value={custom}
                onChange={(e) => setDuration({ choice: "custom", custom: e.target.value })}
                inputMode="decimal"
                suffix="hours"
                placeholder="2"
                fieldClassName="w-36"
                mono
                data-testid="rent-custom-hours"
              />
            )}
          </div>
          {durationProblem ? (
            <p className="text-2xs text-danger" role="alert">
              {durationProblem}
            </p>
          ) : (
            durationSec !== null && (
              <p className="text-2xs text-fg-3">
                {formatDuration(durationSec)} ({durationSec.toLocaleString("en-US")} s)
              </p>
            )
          )}
        </fieldset>

        <section aria-label="Cost estimate" className="rounded-lg border border-line bg-surface-2 p-3">
          <h3 className="mb-2 text-xs font-semibold text-fg-2">Estimate</h3>
          {durationProblem !== null ? (
            <p className="text-xs text-fg-3">Choose a valid duration to see the cost.</p>
          ) : estimate.isError ? (
            <p className="flex items-start gap-2 text-xs text-danger" role="alert">
              <IconAlert size={14} className="mt-0.5 shrink-0" />
              {errorMessage(estimate.error)}
            </p>
          ) : !quote ? (
            <div role="status" aria-label="Loading estimate" className="flex flex-col gap-2">
              <Skeleton className="h-4 w-2/3" />
              <Skeleton className="h-4 w-1/2" />
              <Skeleton className="h-4 w-3/5" />
            </div>
          ) : (
            <div data-testid="rent-estimate">
              <DetailList
                rows={[
                  ...(target.kind === "auto"
                    ? ([
                        ["Matched worker", <HashText key="w" value={quote.workerId} head={12} tail={4} />],
                      ] as Array<[string, ReactNode]>)
                    : []),
                  [
                    "Rate",
                    <span key="r">
                      <XnmAmount value={perHour(quote.pricePerSec)} />
                      <span className="text-fg-3"> /h · </span>
                      <XnmAmount value={quote.pricePerSec} className="text-fg-2" />
                      <span className="text-fg-3"> /s</span>
                    </span>,
                  ],
                  ["Duration", <DurationText key="d" seconds={quote.durationSec} />],
                  [
                    "Held in escrow",
                    <XnmAmount key="t" value={quote.total} className="font-semibold text-fg" />,
                  ],
                  [
                    "Of which",
                    <span key="f" className="text-fg-2">
                      <XnmAmount value={quote.providerAmount} /> provider · <XnmAmount value={quote.fee} />{" "}
                      platform fee ({(quote.feeBps / 100).toFixed(2)} %)
                    </span>,
                  ],
                ]}
              />
              <p className="mt-2 text-2xs text-fg-3">
                Billing is per second from the moment the worker confirms. Stop early or let the worker end
                the lease and the unused time is refunded from escrow.
              </p>
            </div>
          )}
        </section>

        <div
          className={cx(
            "flex flex-wrap items-center justify-between gap-2 rounded-md px-3 py-2 text-xs",
            short ? "border border-danger/40 bg-danger-muted" : "bg-surface-2",
          )}
          data-testid="rent-balance"
        >
          <span className="text-fg-2">
            Available balance:{" "}
            {balance.data ? (
              <XnmAmount value={balance.data.available} className="text-fg" />
            ) : balance.isError ? (
              <span className="text-danger">{errorMessage(balance.error)}</span>
            ) : (
              "…"
            )}
          </span>
          {short && (
            <span className="flex items-center gap-2">
              <span className="text-danger">Not enough for this lease.</span>
              <Link to="/account" className="font-medium text-accent hover:underline" onClick={onClose}>
                Add funds
              </Link>
            </span>
          )}
        </div>
      </form>
    </Dialog>
  );
}
