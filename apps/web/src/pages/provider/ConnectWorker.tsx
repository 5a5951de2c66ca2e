/** How to connect a worker in platform mode, with the signed-in address filled in (ui.md §2 Provider). */

import { IconServer } from "../../components/icons.js";
import { CopyButton } from "../../components/values.js";
import { toChecksumAddress } from "../../lib/address.js";

export function connectCommand(address: string, host: string, rpcLink?: string): string {
  return [
    "./xenblocksMiner",
    "--platform-mode",
    `--mqtt-broker tcp://${host}:1883`,
    `--minerAddr ${address}`,
    "--donotupload",
    ...(rpcLink ? [`--rpcLink ${rpcLink}`] : []),
  ].join(" ");
}

export function ConnectWorker({ address, compact = false }: { address: string; compact?: boolean }) {
  let checksummed = address;
  try {
    checksummed = toChecksumAddress(address);
  } catch {
    // Shown as it is.
  }
  const host = typeof window === "undefined" ? "<host>" : window.location.hostname;
  const origin = typeof window === "undefined" ? "http://<host>:8080" : window.location.origin;
  const command = connectCommand(checksummed, host);
  return (
    <div className="flex flex-col gap-4" data-testid="connect-worker">
      {!compact && (
        <div className="flex items-center gap-3">
          <span className="inline-flex h-10 w-10 items-center justify-center rounded-lg bg-accent-muted text-accent">
            <IconServer size={20} />
          </span>
          <div>
            <h2 className="text-base font-semibold text-fg">Connect your first worker</h2>
            <p className="text-xs text-fg-2">
              Start XenblocksMiner in platform mode on your GPU machine; it registers here within seconds.
            </p>
          </div>
        </div>
      )}
      <div className="relative rounded-md border border-line bg-canvas">
        <pre
          className="overflow-x-auto p-3 pr-10 font-mono text-xs leading-relaxed text-fg"
          data-testid="connect-command"
        >
          {command}
        </pre>
        <span className="absolute top-2.5 right-2.5">
          <CopyButton value={command} label="Copy command" />
        </span>
      </div>
      <ul className="flex list-disc flex-col gap-1.5 pl-5 text-xs text-fg-2">
        <li>
          <span className="font-mono text-fg">--minerAddr</span> is your address (
          <span className="font-mono">{checksummed}</span>): the worker is registered to you and you receive
          its earnings.
        </li>
        <li>
          <span className="font-mono text-fg">--mqtt-broker</span> is this platform's MQTT broker (port 1883).
        </li>
        <li>
          <span className="font-mono text-fg">--donotupload</span> keeps the worker from reporting statistics
          to a third-party server.
        </li>
        <li>
          Optional: <span className="font-mono text-fg">--rpcLink {origin}</span> takes difficulty and block
          verification from this platform's chain endpoint.
        </li>
        <li>
          New workers are listed at the default price (36 XNM/h); change it on this page once the worker
          appears.
        </li>
      </ul>
    </div>
  );
}
