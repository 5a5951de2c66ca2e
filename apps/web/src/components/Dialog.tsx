/**
 * Modal dialogs (ui.md §4): `Dialog` for forms and details, `ConfirmDialog` for "are you sure".
 *
 * Both are rendered into `document.body`, move focus inside when opened (the first `[data-autofocus]`
 * element, else the first field, else the panel), keep Tab inside, close on Escape and on the backdrop
 * (unless `busy`), and give focus back to what had it. Escape does not reach a drawer underneath.
 *
 * ```tsx
 * <Dialog open={open} onClose={close} title="Rent worker" footer={<Button …>Confirm</Button>}>…</Dialog>
 * <ConfirmDialog open={open} onCancel={close} onConfirm={() => stop.mutateAsync(…)}
 *   title="Stop lease?" confirmLabel="Stop" tone="danger" confirmText="STOP">…details…</ConfirmDialog>
 * ```
 */
import { type KeyboardEvent, type ReactNode, useEffect, useId, useRef, useState } from "react";
import { createPortal } from "react-dom";
import { Input } from "./form.js";
import { IconClose } from "./icons.js";
import { Button, cx } from "./ui.js";

const FOCUSABLE =
  'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

const WIDTH = { sm: "max-w-sm", md: "max-w-lg", lg: "max-w-2xl" } as const;

/** The panel's role and ARIA attributes (kept together: the role decides which are valid). */
function modalAria(o: { alert: boolean; titleId: string; descriptionId: string | undefined; busy: boolean }) {
  return {
    role: o.alert ? "alertdialog" : "dialog",
    "aria-modal": true,
    "aria-labelledby": o.titleId,
    "aria-describedby": o.descriptionId,
    "aria-busy": o.busy || undefined,
  } as const;
}

export interface DialogProps {
  open: boolean;
  /** Called on Escape, the close button and a backdrop click (not while `busy`). */
  onClose: () => void;
  title: ReactNode;
  /** A line under the title, also the dialog's accessible description. */
  description?: ReactNode;
  children?: ReactNode;
  /** Buttons, right-aligned at the bottom. */
  footer?: ReactNode;
  size?: keyof typeof WIDTH;
  /** While true the dialog cannot be dismissed (a request is in flight). */
  busy?: boolean;
  /** `role="alertdialog"` for confirmations. */
  alert?: boolean;
  /** A test id on the panel. */
  testId?: string;
}

export function Dialog({
  open,
  onClose,
  title,
  description,
  children,
  footer,
  size = "md",
  busy = false,
  alert = false,
  testId,
}: DialogProps) {
  const panel = useRef<HTMLDivElement>(null);
  const titleId = useId();
  const descriptionId = useId();
  const dismiss = useRef(onClose);
  dismiss.current = onClose;

  useEffect(() => {
    if (!open) return;
    const previous = document.activeElement as HTMLElement | null;
    const root = panel.current;
    const target =
      root?.querySelector<HTMLElement>("[data-autofocus]") ??
      root?.querySelector<HTMLElement>("input:not([disabled]), select, textarea") ??
      root;
    target?.focus();
    const overflow = document.body.style.overflow;
    document.body.style.overflow = "hidden";
    return () => {
      document.body.style.overflow = overflow;
      if (previous && document.contains(previous)) previous.focus();
    };
  }, [open]);

  if (!open) return null;

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.key === "Escape") {
      e.stopPropagation();
      e.nativeEvent.stopImmediatePropagation();
      if (!busy) dismiss.current();
      return;
    }
    if (e.key !== "Tab" || !panel.current) return;
    e.stopPropagation();
    const focusable = [...panel.current.querySelectorAll<HTMLElement>(FOCUSABLE)];
    const first = focusable[0];
    const last = focusable[focusable.length - 1];
    if (!first || !last) {
      e.preventDefault();
      return;
    }
    const active = document.activeElement;
    if (e.shiftKey && (active === first || active === panel.current)) {
      e.preventDefault();
      last.focus();
    } else if (!e.shiftKey && active === last) {
      e.preventDefault();
      first.focus();
    }
  };

  return createPortal(
    // biome-ignore lint/a11y/noStaticElementInteractions: keyboard handling for the whole modal (Escape, Tab trap)
    <div className="fixed inset-0 z-50 flex items-center justify-center p-4" onKeyDown={onKeyDown}>
      <div
        className="absolute inset-0 bg-canvas/75"
        aria-hidden="true"
        onClick={() => {
          if (!busy) dismiss.current();
        }}
      />
      <div
        ref={panel}
        {...modalAria({ alert, titleId, descriptionId: description ? descriptionId : undefined, busy })}
        tabIndex={-1}
        data-testid={testId}
        className={cx(
          "relative flex max-h-[calc(100vh-2rem)] w-full flex-col rounded-xl border border-line bg-surface-1 shadow-2xl outline-none",
          WIDTH[size],
        )}
      >
        <header className="flex shrink-0 items-start justify-between gap-3 border-b border-line px-5 py-4">
          <div className="min-w-0">
            <h2 id={titleId} className="text-base font-semibold text-fg">
              {title}
            </h2>
            {description && (
              <p id={descriptionId} className="mt-1 text-xs text-fg-2">
                {description}
              </p>
            )}
          </div>
          <button
            type="button"
            onClick={() => dismiss.current()}
            disabled={busy}
            aria-label="Close"
            className="-mr-1 inline-flex h-8 w-8 shrink-0 items-center justify-center rounded-md text-fg-2 hover:bg-hover hover:text-fg"
          >
            <IconClose />
          </button>
        </header>
        {children !== undefined && <div className="min-h-0 flex-1 overflow-y-auto px-5 py-4">{children}</div>}
        {footer && (
          <footer className="flex shrink-0 flex-wrap items-center justify-end gap-2 border-t border-line px-5 py-3">
            {footer}
          </footer>
        )}
      </div>
    </div>,
    document.body,
  );
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null)?.then === "function";
}

export interface ConfirmDialogProps {
  open: boolean;
  title: ReactNode;
  /** What will happen; amounts, consequences. */
  children?: ReactNode;
  description?: ReactNode;
  confirmLabel?: string;
  cancelLabel?: string;
  /** `danger` paints the confirm button red (shutdown, revoke, stop). */
  tone?: "default" | "danger";
  /**
   * "Type to confirm": the confirm button stays disabled until the user types exactly this text
   * (case-sensitive), e.g. a worker id or `SHUTDOWN`.
   */
  confirmText?: string;
  /**
   * Runs on confirm. If it returns a promise the dialog is busy until it settles: resolved → it closes
   * (through `onCancel`, unless `closeOnSuccess` is false); rejected → it stays open (the mutation's
   * error toast says why).
   */
  onConfirm: () => unknown;
  /** Closes the dialog (Cancel, Escape, backdrop, and after a successful `onConfirm` by default). */
  onCancel: () => void;
  /** Close after `onConfirm` resolves (default true). */
  closeOnSuccess?: boolean;
  /** External busy flag (e.g. `mutation.isPending`), combined with the internal one. */
  busy?: boolean;
  testId?: string;
}

export function ConfirmDialog({
  open,
  title,
  children,
  description,
  confirmLabel = "Confirm",
  cancelLabel = "Cancel",
  tone = "default",
  confirmText,
  onConfirm,
  onCancel,
  closeOnSuccess = true,
  busy: externalBusy = false,
  testId,
}: ConfirmDialogProps) {
  const [typed, setTyped] = useState("");
  const [pending, setPending] = useState(false);
  useEffect(() => {
    if (open) setTyped("");
  }, [open]);
  const busy = pending || externalBusy;
  const matches = confirmText === undefined || typed === confirmText;

  const confirm = async () => {
    if (!matches || busy) return;
    const result = onConfirm();
    if (!isThenable(result)) {
      if (closeOnSuccess) onCancel();
      return;
    }
    setPending(true);
    try {
      await result;
      if (closeOnSuccess) onCancel();
    } catch {
      // Stays open; the caller's error handling (toast) explains.
    } finally {
      setPending(false);
    }
  };

  return (
    <Dialog
      open={open}
      onClose={onCancel}
      title={title}
      description={description}
      size="sm"
      busy={busy}
      alert
      testId={testId}
      footer={
        <>
          <Button variant="ghost" onClick={onCancel} disabled={busy}>
            {cancelLabel}
          </Button>
          <Button
            variant={tone === "danger" ? "danger" : "primary"}
            onClick={() => void confirm()}
            disabled={!matches || busy}
            data-autofocus={confirmText === undefined ? true : undefined}
          >
            {busy ? "Working…" : confirmLabel}
          </Button>
        </>
      }
    >
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void confirm();
        }}
        className="flex flex-col gap-3 text-sm text-fg-2"
      >
        {children}
        {confirmText !== undefined && (
          <Input
            label={
              <>
                Type <span className="font-mono text-fg">{confirmText}</span> to confirm
              </>
            }
            value={typed}
            onChange={(e) => setTyped(e.target.value)}
            autoComplete="off"
            spellCheck={false}
            data-autofocus
          />
        )}
      </form>
    </Dialog>
  );
}
