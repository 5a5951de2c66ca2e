/** List / Unlist a worker on the Marketplace, confirmed first → `provider.setListed`. */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { toast } from "sonner";
import { ConfirmDialog } from "../../components/Dialog.js";
import { Switch } from "../../components/form.js";
import { formatXnm, middleTruncate } from "../../lib/format.js";
import { useTRPC } from "../../trpc.js";
import { perHourFromPerSec } from "./pricing.js";

export function ListedSwitch({
  workerId,
  listed,
  pricePerSec,
  leased,
  compact = false,
}: {
  workerId: string;
  listed: boolean;
  pricePerSec: string;
  leased: boolean;
  /** Without the description line (list rows). */
  compact?: boolean;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [asking, setAsking] = useState<boolean | null>(null);
  const set = useMutation(
    trpc.provider.setListed.mutationOptions({
      onSuccess: (r) => {
        toast.success(
          r.listed
            ? `Worker ${middleTruncate(r.workerId, 12, 4)} is listed on the Marketplace`
            : `Worker ${middleTruncate(r.workerId, 12, 4)} is unlisted`,
        );
        void queryClient.invalidateQueries({ queryKey: [["provider"]] });
        void queryClient.invalidateQueries({ queryKey: [["marketplace"]] });
        void queryClient.invalidateQueries({ queryKey: trpc.monitoring.worker.queryKey({ workerId }) });
      },
    }),
  );
  const hourly = perHourFromPerSec(pricePerSec);
  return (
    <>
      <Switch
        label="Listed"
        checked={listed}
        onChange={(next) => setAsking(next)}
        disabled={set.isPending}
        {...(!compact && {
          description: listed ? "Rentable on the Marketplace" : "Hidden from the Marketplace",
        })}
      />
      <ConfirmDialog
        open={asking !== null}
        title={asking ? "List this worker?" : "Unlist this worker?"}
        confirmLabel={asking ? "List" : "Unlist"}
        busy={set.isPending}
        onCancel={() => setAsking(null)}
        onConfirm={() => set.mutateAsync({ workerId, listed: asking === true })}
        testId="listed-dialog"
      >
        {asking ? (
          <p>
            Worker <span className="font-mono text-fg">{middleTruncate(workerId, 16, 6)}</span> appears on the
            Marketplace and can be rented at {hourly ? formatXnm(hourly, { decimals: 2 }) : "its price"} per
            hour while it is online and available.
          </p>
        ) : (
          <>
            <p>
              Worker <span className="font-mono text-fg">{middleTruncate(workerId, 16, 6)}</span> leaves the
              Marketplace: nobody can start a new lease on it.
            </p>
            <p>
              Unlisting <strong className="text-fg">never ends a running lease</strong>
              {leased ? ": the current lease runs on to its end and is paid as usual." : "."}
            </p>
          </>
        )}
      </ConfirmDialog>
    </>
  );
}
