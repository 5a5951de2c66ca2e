/** Broadcast (admin): one control to many workers (online only by default, or one owner's); always confirmed, shutdown typed. */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { toast } from "sonner";
import { ConfirmDialog } from "../../../components/Dialog.js";
import { AddressInput, addressError, Select, Switch } from "../../../components/form.js";
import { Button } from "../../../components/ui.js";
import { shortAddress } from "../../../lib/address.js";
import { useTRPC } from "../../../trpc.js";
import { CONTROL_OPTIONS, type ControlAction } from "./AdminWorkers.js";
import { ConfigInput, parseConfig } from "./config-input.js";

interface Outcome {
  workers: string[];
  skipped: Array<{ workerId: string; reason: string }>;
}

export function AdminBroadcast() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [action, setAction] = useState<ControlAction>("pause");
  const [onlineOnly, setOnlineOnly] = useState(true);
  const [owner, setOwner] = useState("");
  const [configText, setConfigText] = useState("");
  const [asking, setAsking] = useState(false);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const broadcast = useMutation(
    trpc.admin.broadcast.mutationOptions({
      onSuccess: (r) => {
        toast.success(`Sent to ${r.workers.length} worker(s), ${r.skipped.length} skipped`);
        setOutcome({ workers: r.workers, skipped: r.skipped });
        void queryClient.invalidateQueries(trpc.admin.pathFilter());
        void queryClient.invalidateQueries(trpc.monitoring.fleet.pathFilter());
      },
    }),
  );
  const parsed = action === "set_config" ? parseConfig(configText) : null;
  const configOk = parsed === null || "config" in parsed;
  const ownerOk = owner.trim() === "" || addressError(owner) === null;
  const scope = `${onlineOnly ? "every online worker" : "every worker"}${
    owner.trim() !== "" && ownerOk ? ` of ${shortAddress(owner.trim())}` : ""
  }`;
  return (
    <div className="flex max-w-2xl flex-col gap-4 p-4">
      <div className="grid grid-cols-1 gap-4 md:grid-cols-2">
        <Select label="Action" value={action} onChange={setAction} options={CONTROL_OPTIONS} />
        <AddressInput label="Only this owner (optional)" value={owner} onChange={setOwner} />
      </div>
      <Switch
        label="Online workers only"
        description="Offline workers would receive the command when they reconnect."
        checked={onlineOnly}
        onChange={setOnlineOnly}
      />
      {action === "set_config" && <ConfigInput value={configText} onChange={setConfigText} />}
      <div>
        <Button
          variant={action === "shutdown" ? "danger" : "primary"}
          disabled={!configOk || !ownerOk || broadcast.isPending}
          onClick={() => setAsking(true)}
        >
          Broadcast…
        </Button>
      </div>
      {outcome && (
        <div
          className="rounded-md border border-line bg-surface-2 p-3 text-xs"
          data-testid="broadcast-outcome"
        >
          <p className="text-fg">
            Sent to {outcome.workers.length} worker(s); {outcome.skipped.length} skipped.
          </p>
          {outcome.skipped.length > 0 && (
            <ul className="mt-2 flex max-h-40 flex-col gap-1 overflow-y-auto text-fg-2">
              {outcome.skipped.map((s) => (
                <li key={s.workerId}>
                  <span className="font-mono">{s.workerId}</span>: {s.reason}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
      <ConfirmDialog
        open={asking}
        onCancel={() => setAsking(false)}
        onConfirm={() =>
          broadcast.mutateAsync({
            action,
            onlineOnly,
            confirm: true,
            ...(owner.trim() !== "" && { owner: owner.trim() }),
            ...(parsed && "config" in parsed && { config: parsed.config }),
          })
        }
        title={`Broadcast ${action.replace("_", " ")}?`}
        confirmLabel="Broadcast"
        tone={action === "shutdown" ? "danger" : "default"}
        confirmText={action === "shutdown" ? "SHUTDOWN" : "BROADCAST"}
        testId="broadcast-confirm"
      >
        <p>
          Sends <span className="font-medium text-fg">{action.replace("_", " ")}</span> to {scope}.
          {action === "shutdown" && " Their processes stop and running leases end."}
        </p>
      </ConfirmDialog>
    </div>
  );
}
