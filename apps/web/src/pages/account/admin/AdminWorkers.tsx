/**
 * Worker moderation (admin): look a worker up, ban it (a running lease is interrupted) or unban it, and
 * send it a control (pause, resume, shutdown, set_config). Every action asks first; shutdown must be typed.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { toast } from "sonner";
import { StatusBadge } from "../../../components/badges.js";
import { DetailList } from "../../../components/DetailList.js";
import { ConfirmDialog } from "../../../components/Dialog.js";
import { Input, Select } from "../../../components/form.js";
import { Button, EmptyState, ErrorState, SkeletonRows } from "../../../components/ui.js";
import { AddressText, HashrateText, TimeAgo } from "../../../components/values.js";
import { errorMessage } from "../../../lib/errors.js";
import { middleTruncate } from "../../../lib/format.js";
import { useOpenDrawer } from "../../../shell/GlobalDrawers.js";
import { useTRPC } from "../../../trpc.js";
import { ConfigInput, parseConfig } from "./config-input.js";
import { useDebounced } from "./use-debounced.js";

export type ControlAction = "pause" | "resume" | "shutdown" | "set_config";

export const CONTROL_OPTIONS: ReadonlyArray<{ value: ControlAction; label: string }> = [
  { value: "pause", label: "Pause" },
  { value: "resume", label: "Resume" },
  { value: "shutdown", label: "Shut down" },
  { value: "set_config", label: "Set config" },
];

type Pending = { kind: "ban" } | { kind: "unban" } | { kind: "control" };

export function AdminWorkers() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const openDrawer = useOpenDrawer();
  const [text, setText] = useState("");
  const workerId = useDebounced(text.trim());
  const [reason, setReason] = useState("");
  const [action, setAction] = useState<ControlAction>("pause");
  const [configText, setConfigText] = useState("");
  const [pending, setPending] = useState<Pending | null>(null);
  const [interrupted, setInterrupted] = useState<string | null>(null);

  const worker = useQuery({
    ...trpc.monitoring.worker.queryOptions({ workerId }),
    enabled: workerId !== "",
    retry: false,
  });
  const refresh = () => {
    void queryClient.invalidateQueries(trpc.monitoring.worker.queryFilter({ workerId }));
    void queryClient.invalidateQueries(trpc.admin.status.pathFilter());
    void queryClient.invalidateQueries(trpc.admin.audit.pathFilter());
    void queryClient.invalidateQueries(trpc.monitoring.fleet.pathFilter());
    void queryClient.invalidateQueries(trpc.rental.pathFilter());
  };
  const setBanned = useMutation(
    trpc.admin.setBanned.mutationOptions({
      onSuccess: (r) => {
        toast.success(`Worker ${r.workerId} ${r.banned ? "banned" : "unbanned"}`);
        if (r.banned) setReason("");
        refresh();
      },
    }),
  );
  const control = useMutation(
    trpc.admin.workerControl.mutationOptions({
      onSuccess: (r) => {
        toast.success(
          `${r.action.replace("_", " ")} ${r.status === "queued" ? "queued for" : "sent to"} ${r.workerId}`,
        );
        refresh();
      },
    }),
  );

  const w = worker.data;
  const parsedConfig = action === "set_config" ? parseConfig(configText) : null;
  const configOk = parsedConfig === null || "config" in parsedConfig;
  const confirm = async () => {
    if (!w || !pending) return;
    if (pending.kind === "ban") {
      const leaseId = w.currentLeaseId ?? null;
      await setBanned.mutateAsync({
        workerId: w.workerId,
        banned: true,
        ...(reason.trim() !== "" && { reason: reason.trim() }),
      });
      setInterrupted(leaseId);
    } else if (pending.kind === "unban") {
      await setBanned.mutateAsync({ workerId: w.workerId, banned: false });
      setInterrupted(null);
    } else {
      await control.mutateAsync({
        workerId: w.workerId,
        action,
        ...(parsedConfig && "config" in parsedConfig && { config: parsedConfig.config }),
        ...(action === "shutdown" && { confirm: true }),
      });
    }
  };

  return (
    <div className="flex flex-col gap-4 p-4">
      <Input
        label="Worker id"
        value={text}
        onChange={(e) => {
          setText(e.target.value);
          setInterrupted(null);
        }}
        maxLength={128}
        mono
        placeholder="The worker to moderate (search or Monitoring shows ids)"
        fieldClassName="max-w-xl"
      />
      {workerId === "" ? (
        <EmptyState title="Enter a worker id">
          Its state, owner and current lease show here before you act.
        </EmptyState>
      ) : worker.isPending ? (
        <SkeletonRows rows={4} label="Looking the worker up" />
      ) : worker.isError ? (
        <ErrorState title={`Worker ${workerId} could not be found`} message={errorMessage(worker.error)} />
      ) : w ? (
        <div className="grid grid-cols-1 gap-6 lg:grid-cols-2" data-testid="admin-worker">
          <DetailList
            rows={[
              [
                "Worker",
                <span key="w" className="font-mono">
                  {w.workerId}
                </span>,
              ],
              ["State", <StatusBadge key="s" state={w.state} online={w.online} />],
              [
                "Banned",
                <span
                  key="b"
                  data-testid="admin-worker-banned"
                  className={w.banned ? "text-danger" : "text-fg"}
                >
                  {w.banned ? "Yes" : "No"}
                </span>,
              ],
              ["Owner", <AddressText key="o" address={w.owner} />],
              ["Hashrate", <HashrateText key="h" value={w.hashrate} />],
              ["Last seen", <TimeAgo key="t" at={w.lastSeenAt} />],
              [
                "Current lease",
                w.currentLeaseId ? (
                  <button
                    key="l"
                    type="button"
                    className="font-mono text-accent hover:underline"
                    onClick={() => openDrawer("lease", w.currentLeaseId as string)}
                  >
                    {middleTruncate(w.currentLeaseId, 12, 4)}
                  </button>
                ) : (
                  "none"
                ),
              ],
            ]}
          />
          <div className="flex flex-col gap-5">
            <fieldset className="flex flex-col gap-3">
              <legend className="mb-2 text-xs font-semibold tracking-wide text-fg-2 uppercase">Ban</legend>
              {w.banned ? (
                <Button
                  variant="secondary"
                  onClick={() => setPending({ kind: "unban" })}
                  className="self-start"
                >
                  Unban worker
                </Button>
              ) : (
                <>
                  <Input
                    label="Reason"
                    value={reason}
                    onChange={(e) => setReason(e.target.value)}
                    maxLength={200}
                    placeholder="Recorded in the audit log"
                  />
                  <Button variant="danger" onClick={() => setPending({ kind: "ban" })} className="self-start">
                    Ban worker…
                  </Button>
                </>
              )}
              {interrupted && (
                <p className="text-xs text-fg-2" data-testid="ban-interrupted">
                  Lease{" "}
                  <button
                    type="button"
                    className="font-mono text-accent hover:underline"
                    onClick={() => openDrawer("lease", interrupted)}
                  >
                    {middleTruncate(interrupted, 12, 4)}
                  </button>{" "}
                  was interrupted by the ban.
                </p>
              )}
            </fieldset>
            <fieldset className="flex flex-col gap-3">
              <legend className="mb-2 text-xs font-semibold tracking-wide text-fg-2 uppercase">
                Control
              </legend>
              <Select
                label="Action"
                value={action}
                onChange={setAction}
                options={CONTROL_OPTIONS}
                fieldClassName="max-w-56"
              />
              {action === "set_config" && <ConfigInput value={configText} onChange={setConfigText} />}
              <Button
                variant={action === "shutdown" ? "danger" : "secondary"}
                onClick={() => setPending({ kind: "control" })}
                disabled={!configOk}
                className="self-start"
              >
                Send to worker…
              </Button>
            </fieldset>
          </div>
        </div>
      ) : null}

      <ConfirmDialog
        open={pending !== null && w !== undefined}
        onCancel={() => setPending(null)}
        onConfirm={confirm}
        title={
          pending?.kind === "ban"
            ? `Ban worker ${w?.workerId ?? ""}?`
            : pending?.kind === "unban"
              ? `Unban worker ${w?.workerId ?? ""}?`
              : `Send ${action.replace("_", " ")} to ${w?.workerId ?? ""}?`
        }
        confirmLabel={pending?.kind === "ban" ? "Ban" : pending?.kind === "unban" ? "Unban" : "Send"}
        tone={
          pending?.kind === "ban" || (pending?.kind === "control" && action === "shutdown")
            ? "danger"
            : "default"
        }
        {...(pending?.kind === "control" && action === "shutdown" && { confirmText: "SHUTDOWN" })}
        testId="admin-worker-confirm"
      >
        {pending?.kind === "ban" && (
          <p>
            The worker is refused at every registration until unbanned.
            {w?.currentLeaseId
              ? " Its running lease is interrupted and settled now."
              : " It has no running lease."}
            {reason.trim() ? ` Reason: “${reason.trim()}”.` : ""}
          </p>
        )}
        {pending?.kind === "unban" && <p>The worker may register and be rented again.</p>}
        {pending?.kind === "control" && action === "shutdown" && (
          <p>The worker process stops. It does not come back until its owner restarts it.</p>
        )}
        {pending?.kind === "control" && action !== "shutdown" && (
          <p>The command is sent to the worker, or queued until it is reachable.</p>
        )}
      </ConfirmDialog>
    </div>
  );
}
