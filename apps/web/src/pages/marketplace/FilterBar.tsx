/**
 * The Marketplace filter bar (ui.md §2): GPU model (from the facets), min hashrate, max price per hour,
 * min GPUs, min memory, desired duration, available only, search. Every value lives in the URL; text
 * fields commit after a short pause so typing does not fetch on each key.
 */
import { useEffect, useState } from "react";
import { AmountInput, Input, Select, Switch } from "../../components/form.js";
import { IconSearch } from "../../components/icons.js";
import { Button } from "../../components/ui.js";
import { activeFilterCount, DURATION_FILTERS, type MarketplaceSearch } from "./search.js";

type Update = (patch: Partial<MarketplaceSearch>) => void;

/** A text field mirrored to one URL value: local while typing, committed after `ms`. */
function useUrlText(
  urlValue: string,
  commit: (text: string) => void,
  ms = 400,
): [string, (text: string) => void] {
  const [text, setText] = useState(urlValue);
  const [dirty, setDirty] = useState(false);
  // The URL changed from elsewhere (clear filters, back button): show it.
  useEffect(() => {
    if (!dirty) setText(urlValue);
  }, [urlValue, dirty]);
  useEffect(() => {
    if (!dirty) return;
    const t = setTimeout(() => {
      setDirty(false);
      if (text.trim() !== urlValue) commit(text.trim());
    }, ms);
    return () => clearTimeout(t);
  }, [text, dirty]);
  return [
    text,
    (next) => {
      setText(next);
      setDirty(true);
    },
  ];
}

function positive(text: string, integer: boolean): number | undefined {
  if (text === "") return undefined;
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) return undefined;
  return integer ? Math.floor(n) : n;
}

export function FilterBar({
  search,
  update,
  gpuModels,
}: {
  search: MarketplaceSearch;
  update: Update;
  gpuModels: Array<{ model: string; count: number }>;
}) {
  const [q, setQ] = useUrlText(search.q ?? "", (t) => update({ q: t === "" ? undefined : t }));
  const [minHash, setMinHash] = useUrlText(search.minHash?.toString() ?? "", (t) =>
    update({ minHash: positive(t, false) }),
  );
  const [maxPrice, setMaxPrice] = useUrlText(search.maxPrice ?? "", (t) =>
    update({ maxPrice: t === "" || /^0*\.?0*$/.test(t) ? undefined : t.replace(/\.$/, "") }),
  );
  const [minGpus, setMinGpus] = useUrlText(search.minGpus?.toString() ?? "", (t) =>
    update({ minGpus: positive(t, true) }),
  );
  const [minMem, setMinMem] = useUrlText(search.minMem?.toString() ?? "", (t) =>
    update({ minMem: positive(t, false) }),
  );
  const models = [...gpuModels];
  if (search.gpu && !models.some((m) => m.model === search.gpu))
    models.unshift({ model: search.gpu, count: 0 });
  const active = activeFilterCount(search);

  return (
    <section
      aria-label="Filters"
      className="rounded-lg border border-line bg-surface-1 p-4"
      data-testid="filters"
    >
      <div className="grid grid-cols-2 gap-3 md:grid-cols-4 2xl:grid-cols-8">
        <Input
          label="Search"
          type="search"
          value={q}
          onChange={(e) => setQ(e.target.value)}
          placeholder="Worker id, owner, GPU"
          prefix={<IconSearch size={14} />}
          maxLength={64}
          fieldClassName="col-span-2"
        />
        <Select
          label="GPU model"
          value={search.gpu ?? ""}
          onChange={(v) => update({ gpu: v === "" ? undefined : v })}
          options={[
            { value: "", label: "All models" },
            ...models.map((m) => ({ value: m.model, label: `${m.model} (${m.count})` })),
          ]}
        />
        <Input
          label="Min hashrate"
          value={minHash}
          onChange={(e) => setMinHash(e.target.value.replace(/[^\d.]/g, ""))}
          inputMode="decimal"
          suffix="H/s"
          placeholder="Any"
          mono
        />
        <AmountInput
          label="Max price"
          value={maxPrice}
          onChange={setMaxPrice}
          suffix="XNM/h"
          placeholder="Any"
        />
        <Input
          label="Min GPUs"
          value={minGpus}
          onChange={(e) => setMinGpus(e.target.value.replace(/\D/g, ""))}
          inputMode="numeric"
          placeholder="Any"
          mono
        />
        <Input
          label="Min memory"
          value={minMem}
          onChange={(e) => setMinMem(e.target.value.replace(/[^\d.]/g, ""))}
          inputMode="decimal"
          suffix="GB"
          placeholder="Any"
          mono
        />
        <Select
          label="Duration"
          value={search.dur === undefined ? "" : String(search.dur)}
          onChange={(v) => update({ dur: v === "" ? undefined : Number(v) })}
          options={[
            { value: "", label: "Any duration" },
            ...DURATION_FILTERS.map((d) => ({ value: String(d.sec), label: d.label })),
            ...(search.dur !== undefined && !DURATION_FILTERS.some((d) => d.sec === search.dur)
              ? [{ value: String(search.dur), label: `${search.dur} s` }]
              : []),
          ]}
        />
      </div>
      <div className="mt-3 flex flex-wrap items-center justify-between gap-3">
        <Switch
          label="Available only"
          checked={search.avail !== false}
          onChange={(on) => update({ avail: on ? undefined : false })}
        />
        {active > 0 && (
          <Button
            variant="ghost"
            size="sm"
            onClick={() =>
              update({
                gpu: undefined,
                minHash: undefined,
                maxPrice: undefined,
                minGpus: undefined,
                minMem: undefined,
                dur: undefined,
                avail: undefined,
                q: undefined,
              })
            }
          >
            Clear {active} {active === 1 ? "filter" : "filters"}
          </Button>
        )}
      </div>
    </section>
  );
}
