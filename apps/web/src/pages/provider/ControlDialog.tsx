/**
 * Remote control of one worker (ui.md §2 Provider, also in the Monitoring worker drawer for its owner
 * and admins): Pause, Resume, Set config, Shutdown → `provider.control`. Every action is confirmed;
 * shutdown needs the worker id typed; a running lease is named because the action interrupts it.
 */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type ReactNode, useState } from "react";
import { toast } from "sonner";
import type { Inputs } from "../../api-types.js";
import { ConfirmDialog, Dialog } from "../../components/Dialog.js";
import { AddressInput, Input } from "../../components/form.js";
import { IconAlert, IconChevronDown } from "../../components/icons.js";
import { Popover } from "../../components/Popover.js";
import { Button, cx } from "../../components/ui.js";
import { isAddress } from "../../lib/address.js";
import { middleTruncate } from "../../lib/format.js";
import { useTRPC } from "../../trpc.js";

export type ControlAction = Inputs["provider"]["control"]["action"];

/** What the controls need to know about the worker. */
export interface ControlTarget {
  workerId: string;
  state: string | null;
  online: boolean;
  /** The running lease, when known. */
  leaseId?: string | null;
  config?: { address: string; prefix: string; blockPattern: string; difficulty: number | null };
}

const LEASED_STATES = new Set(["LEASED", "MINING"]);
/** The worker's own block marker; "" also means the default (worker-protocol §5.4). */
const DEFAULT_PATTERN = "XEN11";

export function leaseRunning(t: ControlTarget): boolean {
  return Boolean(t.leaseId) || LEASED_STATES.has((t.state ?? "").toUpperCase());
}

/** Why an action cannot be sent now, or null. Mirrors the server's checks (it checks again). */
export function controlBlocked(t: ControlTarget, action: ControlAction): string | null {
  if (!t.online) return "The worker is offline; it cannot take commands";
  const state = (t.state ?? "").toUpperCase();
  if (action === "resume" && state !== "IDLE") return "Only a paused (idle) worker can be resumed";
  if (action === "pause" && state === "IDLE") return "The worker is already paused";
  return null;
}

const LABEL: Record<ControlAction, string> = {
  pause: "Pause",
  resume: "Resume",
  set_config: "Set config…",
  shutdown: "Shutdown…",
};

function useControl(workerId: string) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  return useMutation(
    trpc.provider.control.mutationOptions({
      onSuccess: (r) => {
        const what = r.action === "set_config" ? "New config" : LABEL[r.action].replace("…", "");
        toast.success(
          r.status === "sent"
            ? `${what} sent to worker ${middleTruncate(workerId, 12, 4)}`
            : `${what} queued for worker ${middleTruncate(workerId, 12, 4)}; it goes out once the worker is ready`,
          r.endedLeaseId
            ? { description: `Lease ${middleTruncate(r.endedLeaseId, 12, 4)} was interrupted.` }
            : {},
        );
        void queryClient.invalidateQueries({ queryKey: [["provider"]] });
        void queryClient.invalidateQueries({ queryKey: trpc.monitoring.worker.queryKey({ workerId }) });
        if (r.endedLeaseId) void queryClient.invalidateQueries({ queryKey: [["rental"]] });
      },
    }),
  );
}

function LeaseWarning({ target }: { target: ControlTarget }) {
  if (!leaseRunning(target)) return null;
  return (
    <p
      role="alert"
      className="flex gap-2 rounded-md border border-warning/40 bg-warning-muted px-3 py-2 text-xs text-warning"
    >
      <IconAlert size={14} className="mt-0.5 shrink-0" />
      <span>
        A lease is running on this worker
        {target.leaseId ? (
          <>
            {" "}
            (<span className="font-mono">{middleTruncate(target.leaseId, 12, 4)}</span>)
          </>
        ) : null}
        . It will be <strong>interrupted</strong> first: the renter pays for the time mined so far and gets
        the rest of the escrow back, and the interruption counts against the worker's completion score.
      </span>
    </p>
  );
}

/** The confirmation (or config form) of one action; `action` null renders nothing. */
export function WorkerControlDialog({
  target,
  action,
  onClose,
}: {
  target: ControlTarget;
  action: ControlAction | null;
  onClose: () => void;
}) {
  const control = useControl(target.workerId);
  const send = (input: Omit<Inputs["provider"]["control"], "workerId">) =>
    control.mutateAsync({ workerId: target.workerId, ...input });

  if (action === "set_config") {
    return <SetConfigDialog target={target} onClose={onClose} send={send} busy={control.isPending} />;
  }
  const id = <span className="font-mono text-fg">{middleTruncate(target.workerId, 16, 6)}</span>;
  const body: Record<Exclude<ControlAction, "set_config">, ReactNode> = {
    pause: (
      <p>
        Worker {id} stops taking leases and goes idle; it keeps self-mining. It is not rented until you resume
        it.
      </p>
    ),
    resume: <p>Worker {id} registers again and becomes available for leases.</p>,
    shutdown: (
      <>
        <p>
          Worker {id} stops mining, disconnects from the platform and goes offline.{" "}
          <strong className="text-fg">This cannot be undone from here:</strong> the worker can only be
          restarted on its machine.
        </p>
      </>
    ),
  };
  const kind = action ?? "pause";
  return (
    <ConfirmDialog
      open={action !== null && action !== undefined}
      title={
        kind === "shutdown"
          ? "Shut down this worker?"
          : kind === "pause"
            ? "Pause this worker?"
            : "Resume this worker?"
      }
      confirmLabel={kind === "shutdown" ? "Shut down" : kind === "pause" ? "Pause" : "Resume"}
      tone={kind === "shutdown" ? "danger" : "default"}
      {...(kind === "shutdown" && { confirmText: target.workerId })}
      busy={control.isPending}
      onCancel={onClose}
      onConfirm={() => send(kind === "shutdown" ? { action: "shutdown", confirm: true } : { action: kind })}
      testId="control-dialog"
    >
      {body[kind as Exclude<ControlAction, "set_config">]}
      {kind !== "resume" && <LeaseWarning target={target} />}
    </ConfirmDialog>
  );
}

function SetConfigDialog({
  target,
  onClose,
  send,
  busy,
}: {
  target: ControlTarget;
  onClose: () => void;
  send: (input: { action: "set_config"; config: Record<string, unknown> }) => Promise<unknown>;
  busy: boolean;
}) {
  const current = target.config ?? { address: "", prefix: "", blockPattern: "", difficulty: null };
  const [address, setAddress] = useState(current.address);
  const [prefix, setPrefix] = useState(current.prefix);
  const [pattern, setPattern] = useState(current.blockPattern);
  const [difficulty, setDifficulty] = useState(current.difficulty === null ? "" : String(current.difficulty));

  const addressProblem = address.trim() !== "" && !isAddress(address.trim()) ? "0x followed by 40 hex" : null;
  const prefixProblem = /^[0-9a-f]{0,48}$/.test(prefix) ? null : "0–48 lowercase hex characters";
  const patternProblem = /^[A-Za-z0-9+/]{0,16}$/.test(pattern)
    ? null
    : "0–16 base64 characters (A–Z a–z 0–9 + /)";
  const difficultyProblem =
    difficulty === "" || (/^\d+$/.test(difficulty) && Number(difficulty) >= 1) ? null : "A whole number ≥ 1";

  const config: Record<string, unknown> = {};
  if (address.trim() !== "" && address.trim().toLowerCase() !== current.address.toLowerCase()) {
    config.address = address.trim();
  }
  if (prefix !== current.prefix) config.prefix = prefix;
  if (pattern !== current.blockPattern) config.block_pattern = pattern;
  if (difficulty !== "" && Number(difficulty) !== current.difficulty) config.difficulty = Number(difficulty);
  const invalid = Boolean(addressProblem || prefixProblem || patternProblem || difficultyProblem);
  const changed = Object.keys(config).length > 0;
  const nonDefault = pattern !== "" && pattern !== DEFAULT_PATTERN;

  const submit = async () => {
    if (invalid || !changed || busy) return;
    try {
      await send({ action: "set_config", config });
      onClose();
    } catch {
      // The mutation's toast shows the server's message; the form stays open.
    }
  };

  return (
    <Dialog
      open
      onClose={onClose}
      busy={busy}
      title="Set worker config"
      description={
        <>
          Sent to worker <span className="font-mono">{middleTruncate(target.workerId, 16, 6)}</span> with{" "}
          <span className="font-mono">set_config</span>; only the fields you change are sent.
        </>
      }
      testId="config-dialog"
      footer={
        <>
          <Button variant="ghost" onClick={onClose} disabled={busy}>
            Cancel
          </Button>
          <Button variant="primary" onClick={() => void submit()} disabled={invalid || !changed || busy}>
            {busy ? "Sending…" : "Send config"}
          </Button>
        </>
      }
    >
      <form
        className="flex flex-col gap-4"
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <AddressInput
          label="Payout address (self-mining)"
          value={address}
          onChange={setAddress}
          error={addressProblem ?? undefined}
          hint="Where self-mined blocks pay out. The registered owner does not change."
        />
        <Input
          label="Prefix"
          mono
          value={prefix}
          onChange={(e) => setPrefix(e.target.value.trim())}
          error={prefixProblem ?? undefined}
          hint="The self-mining key prefix, 0–48 lowercase hex; empty for none (any value disables the dev fee)."
          maxLength={48}
          spellCheck={false}
          autoComplete="off"
        />
        <Input
          label="Block pattern"
          mono
          value={pattern}
          onChange={(e) => setPattern(e.target.value.trim())}
          error={patternProblem ?? undefined}
          hint={`Empty restores the default ${DEFAULT_PATTERN}.`}
          maxLength={16}
          spellCheck={false}
          autoComplete="off"
          placeholder={DEFAULT_PATTERN}
        />
        {nonDefault && !patternProblem && (
          <p
            role="alert"
            className="flex gap-2 rounded-md border border-warning/40 bg-warning-muted px-3 py-2 text-xs text-warning"
          >
            <IconAlert size={14} className="mt-0.5 shrink-0" />
            <span>
              A pattern other than {DEFAULT_PATTERN} makes the worker report blocks the platform rejects (
              <span className="font-mono">no_block_marker</span>), unless this platform runs a test fleet with
              the same marker.
            </span>
          </p>
        )}
        <Input
          label="Difficulty"
          mono
          inputMode="numeric"
          value={difficulty}
          onChange={(e) => setDifficulty(e.target.value.trim())}
          error={difficultyProblem ?? undefined}
          hint="A whole number ≥ 1. A worker in normal mode overwrites it with the chain's difficulty every 10 s."
          autoComplete="off"
        />
        <LeaseWarning target={target} />
      </form>
    </Dialog>
  );
}

/** The Control menu of a worker card: each item opens its confirmation. */
export function ControlMenu({ target, className }: { target: ControlTarget; className?: string }) {
  const [action, setAction] = useState<ControlAction | null>(null);
  return (
    <div className={className}>
      <Popover
        label={`Control worker ${target.workerId}`}
        button={
          <span className="inline-flex h-7 items-center gap-1 rounded-md border border-line bg-surface-2 px-2.5 text-xs font-medium text-fg hover:border-line-hover">
            Control <IconChevronDown size={12} />
          </span>
        }
        panelClassName="min-w-56"
      >
        {(close) =>
          (["pause", "resume", "set_config", "shutdown"] as const).map((a) => {
            const blocked = controlBlocked(target, a);
            return (
              <button
                key={a}
                type="button"
                role="menuitem"
                disabled={blocked !== null}
                title={blocked ?? undefined}
                onClick={() => {
                  close();
                  setAction(a);
                }}
                className={cx(
                  "flex h-8 w-full items-center rounded-md px-3 text-left text-sm hover:bg-hover focus:bg-hover focus:outline-none disabled:opacity-40 disabled:hover:bg-transparent",
                  a === "shutdown" ? "text-danger" : "text-fg-2 hover:text-fg focus:text-fg",
                )}
              >
                {LABEL[a]}
              </button>
            );
          })
        }
      </Popover>
      {action !== null && (
        <WorkerControlDialog target={target} action={action} onClose={() => setAction(null)} />
      )}
    </div>
  );
}

/** The same actions as a row of buttons (the Monitoring worker drawer). */
export function ControlButtons({ target }: { target: ControlTarget }) {
  const [action, setAction] = useState<ControlAction | null>(null);
  return (
    <div className="flex flex-wrap items-center gap-2" data-testid="control-buttons">
      {(["pause", "resume", "set_config", "shutdown"] as const).map((a) => {
        const blocked = controlBlocked(target, a);
        return (
          <Button
            key={a}
            size="sm"
            variant={a === "shutdown" ? "danger" : "secondary"}
            disabled={blocked !== null}
            title={blocked ?? undefined}
            onClick={() => setAction(a)}
          >
            {LABEL[a]}
          </Button>
        );
      })}
      {action !== null && (
        <WorkerControlDialog target={target} action={action} onClose={() => setAction(null)} />
      )}
    </div>
  );
}
