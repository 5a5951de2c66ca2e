/** Values as text: money, hashrate, durations, relative times, ids and addresses with copy buttons. */
import { useState } from "react";
import { shortAddress, toChecksumAddress } from "../lib/address.js";
import {
  formatDateTime,
  formatDuration,
  formatHashrate,
  formatTimeAgo,
  formatXnm,
  middleTruncate,
} from "../lib/format.js";
import { IconCheck, IconCopy } from "./icons.js";
import { useNow } from "./now.js";
import { cx } from "./ui.js";

/** A decimal XNM string with the unit; never converted to a float. */
export function XnmAmount({
  value,
  decimals,
  className,
}: {
  value: string | null | undefined;
  decimals?: number;
  className?: string;
}) {
  return (
    <span className={cx("font-mono tabular", className)} title={value ? `${value} XNM` : undefined}>
      {formatXnm(value, decimals === undefined ? {} : { decimals })}
    </span>
  );
}

export function HashrateText({ value, className }: { value: number | null | undefined; className?: string }) {
  return <span className={cx("tabular", className)}>{formatHashrate(value)}</span>;
}

export function DurationText({ seconds }: { seconds: number | null | undefined }) {
  return <span className="tabular">{formatDuration(seconds)}</span>;
}

/** A relative time that ticks; the exact time in its tooltip. */
export function TimeAgo({ at, className }: { at: number | null | undefined; className?: string }) {
  const now = useNow();
  if (at == null) return <span className={className}>—</span>;
  return (
    <time
      dateTime={new Date(at).toISOString()}
      title={formatDateTime(at)}
      className={cx("tabular", className)}
    >
      {formatTimeAgo(at, now)}
    </time>
  );
}

export function CopyButton({ value, label }: { value: string; label: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <button
      type="button"
      aria-label={copied ? "Copied" : label}
      title={copied ? "Copied" : label}
      onClick={(e) => {
        e.stopPropagation();
        void navigator.clipboard?.writeText(value).then(
          () => {
            setCopied(true);
            setTimeout(() => setCopied(false), 1500);
          },
          () => {},
        );
      }}
      className="inline-flex h-5 w-5 shrink-0 items-center justify-center rounded-sm text-fg-3 hover:bg-hover hover:text-fg"
    >
      {copied ? <IconCheck size={12} className="text-success" /> : <IconCopy size={12} />}
    </button>
  );
}

/** An id or hash, middle-truncated, with a copy button. */
export function HashText({
  value,
  head = 8,
  tail = 6,
  copy = true,
  className,
}: {
  value: string;
  head?: number;
  tail?: number;
  copy?: boolean;
  className?: string;
}) {
  return (
    <span className={cx("inline-flex items-center gap-1 font-mono text-xs", className)}>
      <span title={value}>{middleTruncate(value, head, tail)}</span>
      {copy && <CopyButton value={value} label="Copy" />}
    </span>
  );
}

/** An address in EIP-55, shortened, with a copy button. */
export function AddressText({
  address,
  copy = true,
  className,
}: {
  address: string;
  copy?: boolean;
  className?: string;
}) {
  let full = address;
  try {
    full = toChecksumAddress(address);
  } catch {
    // Not an address: shown as it came.
  }
  return (
    <span className={cx("inline-flex items-center gap-1 font-mono text-xs", className)}>
      <span title={full}>{shortAddress(full)}</span>
      {copy && <CopyButton value={full} label="Copy address" />}
    </span>
  );
}
