/** Live / Reconnecting in N s / Offline (ui.md §1), with the last event's time in the tooltip. */
import { useLive } from "../app/context.js";
import { useNow } from "../components/now.js";
import { Tooltip } from "../components/ui.js";
import { formatClock } from "../lib/format.js";
import { type ConnectionView, connectionView } from "../live/store.js";

export function useConnectionView(): ConnectionView {
  const connection = useLive((s) => s.connection);
  // The shared clock ticks once a second (it re-renders the countdown); the countdown itself is
  // measured against the time of this render, or a fresh retry would read up to 1 s too long.
  useNow();
  return connectionView(connection, Date.now());
}

function describe(view: ConnectionView): { text: string; dot: string } {
  switch (view.kind) {
    case "live":
      return { text: "Live", dot: "bg-success" };
    case "connecting":
      return { text: "Connecting…", dot: "bg-warning animate-pulse" };
    case "reconnecting":
      return { text: `Reconnecting in ${view.retryInSec} s`, dot: "bg-warning animate-pulse" };
    case "offline":
      return { text: "Offline", dot: "bg-danger" };
  }
}

export function ConnectionIndicator({ compact = false }: { compact?: boolean }) {
  const view = useConnectionView();
  const { text, dot } = describe(view);
  const tip = view.lastEventAt ? `Last event at ${formatClock(view.lastEventAt)}` : "No event received yet";
  return (
    <Tooltip content={tip}>
      <button
        type="button"
        aria-label={`Connection: ${text}. ${tip}`}
        data-testid="connection-indicator"
        data-state={view.kind}
        className="inline-flex cursor-default items-center gap-2 rounded-md text-xs text-fg-2"
      >
        <span className={`h-2 w-2 shrink-0 rounded-full ${dot}`} aria-hidden="true" />
        {!compact && <span className="tabular">{text}</span>}
      </button>
    </Tooltip>
  );
}
