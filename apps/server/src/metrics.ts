/**
 * Prometheus text for `/metrics`: the broker's and the platform's counters, connected workers, open
 * leases by state, the ledger check (computed by a job, not per scrape), event-loop lag and job runs.
 */
import type { Counters } from "@xenblocks/core";

export interface MetricsSources {
  brokerCounters: Counters;
  platformCounters: Counters;
  connectedWorkers: () => number;
  openLeases: () => Promise<{ pending: number; active: number }>;
  ledger: () => { checkedAt: number; violations: number; totals: Record<string, bigint> } | null;
  eventLoopLagMs: () => { p50: number; p99: number; max: number };
  jobs: () => Array<{ name: string; runs: number; failures: number }>;
  /** API clients: WebSocket connections, open SSE streams, live-event subscriptions. */
  apiClients: () => { websocket: number; sse: number; liveSubscriptions: number };
}

/** Counters whose label is a message type; every other label is a reason. */
const TYPE_LABELLED = new Set(["mqtt_inbound_total", "mqtt_outbound_total"]);

/**
 * Counters the specs name (platform-rules §6, worker-protocol §2), reported from the start: an unlabelled
 * one as 0, a labelled one by its TYPE line until its first reason is counted.
 */
const SPEC_COUNTERS = ["blocks_duplicate_total", "mqtt_spoof_dropped_total{reason}"];

/**
 * Counters named `name{reason}` become `name{<label>="reason"}`: the broker's and the platform's
 * counters keep the names the specs give them (`blocks_duplicate_total`, `mqtt_spoof_dropped_total`),
 * with no prefix; the server's own gauges are `xenblocks_*`.
 */
function counterLines(counters: Counters, typed: Set<string>): string[] {
  const lines: string[] = [];
  for (const [key, value] of Object.entries(counters.snapshot())) {
    const match = /^([a-z0-9_]+)(?:\{(.*)\})?$/.exec(key);
    if (!match) continue;
    const name = match[1] as string;
    if (!typed.has(name)) {
      typed.add(name);
      lines.push(`# TYPE ${name} counter`);
    }
    const label = TYPE_LABELLED.has(match[1] as string) ? "type" : "reason";
    lines.push(
      match[2] === undefined ? `${name} ${value}` : `${name}{${label}="${labelValue(match[2])}"} ${value}`,
    );
  }
  return lines;
}

const labelValue = (v: string) => v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");

export async function renderMetrics(s: MetricsSources): Promise<string> {
  const lines: string[] = [
    "# TYPE xenblocks_connected_workers gauge",
    `xenblocks_connected_workers ${s.connectedWorkers()}`,
  ];
  const clients = s.apiClients();
  lines.push(
    "# TYPE xenblocks_api_clients gauge",
    `xenblocks_api_clients{transport="websocket"} ${clients.websocket}`,
    `xenblocks_api_clients{transport="sse"} ${clients.sse}`,
    "# TYPE xenblocks_live_subscriptions gauge",
    `xenblocks_live_subscriptions ${clients.liveSubscriptions}`,
  );
  const open = await s.openLeases();
  lines.push("# TYPE xenblocks_open_leases gauge");
  lines.push(
    `xenblocks_open_leases{state="pending"} ${open.pending}`,
    `xenblocks_open_leases{state="active"} ${open.active}`,
  );
  const ledger = s.ledger();
  if (ledger) {
    lines.push(
      "# TYPE xenblocks_ledger_violations gauge",
      `xenblocks_ledger_violations ${ledger.violations}`,
    );
    lines.push("# TYPE xenblocks_ledger_balance_units gauge");
    for (const [account, total] of Object.entries(ledger.totals)) {
      lines.push(`xenblocks_ledger_balance_units{account="${labelValue(account)}"} ${total}`);
    }
    lines.push(
      "# TYPE xenblocks_ledger_checked_at_seconds gauge",
      `xenblocks_ledger_checked_at_seconds ${Math.floor(ledger.checkedAt / 1000)}`,
    );
  }
  const lag = s.eventLoopLagMs();
  lines.push("# TYPE xenblocks_event_loop_lag_ms gauge");
  lines.push(
    `xenblocks_event_loop_lag_ms{quantile="0.5"} ${lag.p50.toFixed(2)}`,
    `xenblocks_event_loop_lag_ms{quantile="0.99"} ${lag.p99.toFixed(2)}`,
    `xenblocks_event_loop_lag_ms{quantile="1"} ${lag.max.toFixed(2)}`,
  );
  lines.push("# TYPE xenblocks_job_runs_total counter");
  for (const job of s.jobs()) lines.push(`xenblocks_job_runs_total{job="${job.name}"} ${job.runs}`);
  lines.push("# TYPE xenblocks_job_failures_total counter");
  for (const job of s.jobs()) lines.push(`xenblocks_job_failures_total{job="${job.name}"} ${job.failures}`);
  const typed = new Set<string>();
  lines.push(...counterLines(s.brokerCounters, typed), ...counterLines(s.platformCounters, typed));
  for (const counter of SPEC_COUNTERS) {
    const name = counter.replace(/\{.*$/, "");
    if (typed.has(name)) continue;
    lines.push(`# TYPE ${name} counter`);
    if (name === counter) lines.push(`${name} 0`);
  }
  return `${lines.join("\n")}\n`;
}
