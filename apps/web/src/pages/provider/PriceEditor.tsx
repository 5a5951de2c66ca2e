/**
 * The inline price editor of a worker: XNM per hour (the exact per-second price that is sent shown
 * beside it), "Suggest" from the worker's GPUs (`provider.suggestPrice`), min / max duration →
 * `provider.setPricing`.
 */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { toast } from "sonner";
import { AmountInput, Input, Select } from "../../components/form.js";
import { Button } from "../../components/ui.js";
import { errorMessage } from "../../lib/errors.js";
import { formatDuration, formatXnm, middleTruncate } from "../../lib/format.js";
import { useTRPC } from "../../trpc.js";
import {
  checkPricing,
  DURATION_UNITS,
  type DurationUnit,
  perHourFromPerSec,
  splitDuration,
  trimAmount,
} from "./pricing.js";
import type { ProviderWorker } from "./types.js";

type Suggestion = { pricePerSec: string; pricePerMin: string; lines: { gpu: string; ratePerMin: string }[] };

export function PriceEditor({
  worker,
  onDone,
}: {
  worker: Pick<ProviderWorker, "workerId" | "pricePerSec" | "minDurationSec" | "maxDurationSec">;
  onDone: () => void;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const min = splitDuration(worker.minDurationSec);
  const max = splitDuration(worker.maxDurationSec);
  const [perHour, setPerHour] = useState(trimAmount(perHourFromPerSec(worker.pricePerSec) ?? ""));
  const [minAmount, setMinAmount] = useState(min.amount);
  const [minUnit, setMinUnit] = useState<DurationUnit>(min.unit);
  const [maxAmount, setMaxAmount] = useState(max.amount);
  const [maxUnit, setMaxUnit] = useState<DurationUnit>(max.unit);
  const [suggestion, setSuggestion] = useState<Suggestion | null>(null);
  const [suggesting, setSuggesting] = useState(false);
  const [touched, setTouched] = useState(false);

  const check = checkPricing({ perHour, minAmount, minUnit, maxAmount, maxUnit });
  const problem = (field: "price" | "min" | "max") =>
    touched && !check.ok && check.field === field ? check.message : undefined;

  const save = useMutation(
    trpc.provider.setPricing.mutationOptions({
      onSuccess: (r) => {
        toast.success(
          `Price of ${middleTruncate(r.workerId, 12, 4)} set to ${formatXnm(r.pricePerHour, { decimals: 2 })}/h`,
          { description: `${r.pricePerSec} XNM per second` },
        );
        void queryClient.invalidateQueries({ queryKey: [["provider", "workers"]] });
        void queryClient.invalidateQueries({ queryKey: [["marketplace"]] });
        void queryClient.invalidateQueries({
          queryKey: trpc.monitoring.worker.queryKey({ workerId: r.workerId }),
        });
        onDone();
      },
    }),
  );

  const suggest = async () => {
    setSuggesting(true);
    try {
      const s = await queryClient.fetchQuery(
        trpc.provider.suggestPrice.queryOptions({ workerId: worker.workerId }, { staleTime: 0 }),
      );
      setSuggestion(s);
      const hourly = perHourFromPerSec(s.pricePerSec);
      if (hourly) setPerHour(trimAmount(hourly));
    } catch (e) {
      toast.error(errorMessage(e));
    } finally {
      setSuggesting(false);
    }
  };

  const submit = () => {
    setTouched(true);
    if (!check.ok || save.isPending) return;
    save.mutate({
      workerId: worker.workerId,
      pricePerSec: check.pricePerSec,
      minDurationSec: check.minDurationSec,
      maxDurationSec: check.maxDurationSec,
    });
  };

  const units = DURATION_UNITS.map((u) => ({ value: u.value, label: u.label }));
  return (
    <form
      aria-label={`Price of worker ${worker.workerId}`}
      data-testid="price-editor"
      className="flex flex-col gap-3 rounded-md border border-line bg-surface-2 p-3"
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <div className="flex items-end gap-2">
        <AmountInput
          label="Price per hour"
          value={perHour}
          onChange={(v) => {
            setPerHour(v);
            setSuggestion(null);
          }}
          suffix="XNM/h"
          error={problem("price")}
          fieldClassName="flex-1"
          data-autofocus
        />
        <Button
          variant="secondary"
          onClick={() => void suggest()}
          disabled={suggesting}
          title="The table price for this worker's GPUs"
        >
          {suggesting ? "…" : "Suggest"}
        </Button>
      </div>
      <p className="-mt-1 text-2xs text-fg-3" data-testid="price-per-sec">
        {check.ok || check.field !== "price" ? (
          <>
            = <span className="font-mono text-fg-2">{check.ok ? check.pricePerSec : "—"}</span> XNM per
            second, the price renters pay (rounded to whole micro-XNM)
          </>
        ) : (
          "Enter the price in XNM per hour"
        )}
      </p>
      {suggestion && (
        <div className="rounded-md bg-surface-3 px-3 py-2 text-2xs text-fg-2" data-testid="suggestion">
          Suggested {suggestion.pricePerSec} XNM/s from{" "}
          {suggestion.lines.map((l, i) => (
            <span key={`${l.gpu}-${i}`}>
              {i > 0 && " + "}
              {l.gpu} ({formatXnm(l.ratePerMin, { decimals: 2 })}/min)
            </span>
          ))}
        </div>
      )}
      <div className="grid grid-cols-1 gap-3 sm:grid-cols-2 md:grid-cols-1 2xl:grid-cols-2">
        <div className="flex items-start gap-1.5">
          <Input
            label="Min duration"
            value={minAmount}
            onChange={(e) => setMinAmount(e.target.value.trim())}
            inputMode="decimal"
            mono
            error={problem("min")}
            fieldClassName="flex-1"
            autoComplete="off"
          />
          <Select
            label={"\u00a0"}
            aria-label="Min duration unit"
            value={minUnit}
            onChange={setMinUnit}
            options={units}
            fieldClassName="w-24"
          />
        </div>
        <div className="flex items-start gap-1.5">
          <Input
            label="Max duration"
            value={maxAmount}
            onChange={(e) => setMaxAmount(e.target.value.trim())}
            inputMode="decimal"
            mono
            error={problem("max")}
            fieldClassName="flex-1"
            autoComplete="off"
          />
          <Select
            label={"\u00a0"}
            aria-label="Max duration unit"
            value={maxUnit}
            onChange={setMaxUnit}
            options={units}
            fieldClassName="w-24"
          />
        </div>
      </div>
      <p className="-mt-1 text-2xs text-fg-3">
        Renters choose a duration between{" "}
        {check.ok
          ? `${formatDuration(check.minDurationSec)} and ${formatDuration(check.maxDurationSec)}`
          : "the two"}{" "}
        (at most 7 days).
      </p>
      <div className="flex justify-end gap-2">
        <Button variant="ghost" size="sm" onClick={onDone} disabled={save.isPending}>
          Cancel
        </Button>
        <Button variant="primary" size="sm" type="submit" disabled={save.isPending}>
          {save.isPending ? "Saving…" : "Save price"}
        </Button>
      </div>
    </form>
  );
}
