/** What the header's global search understands (ui.md §1): a worker id, a lease id or an address. */
import { isAddress, toChecksumAddress } from "./address.js";

export type SearchTarget =
  | { kind: "address"; address: string }
  | { kind: "lease"; leaseId: string }
  | { kind: "worker"; workerId: string }
  | { kind: "none" };

/** Lease ids are `lease-<uuid>`; addresses `0x` + 40 hex; anything else id-like is a worker id. */
export function classifySearch(raw: string): SearchTarget {
  const text = raw.trim();
  if (text === "") return { kind: "none" };
  if (isAddress(text)) return { kind: "address", address: toChecksumAddress(text) };
  if (/^lease-[0-9a-f-]{8,}$/i.test(text)) return { kind: "lease", leaseId: text };
  if (/^[A-Za-z0-9._:-]{1,128}$/.test(text)) return { kind: "worker", workerId: text };
  return { kind: "none" };
}
