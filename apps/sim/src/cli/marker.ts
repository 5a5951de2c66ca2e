/** The block marker flag, shared by `fleet --block-marker` and `chain --marker`. */
import { UsageError } from "./cli-io.js";

/** worker-protocol §5: `block_pattern` is 0–16 base64-alphabet characters; empty means the default. */
const MARKER = /^[A-Za-z0-9+/]{1,16}$/;

export function markerFlag(name: string, raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  if (!MARKER.test(raw)) {
    throw new UsageError(
      `--${name} must be 1 to 16 characters of the base64 alphabet (A-Z a-z 0-9 + /), got "${raw}"`,
    );
  }
  return raw;
}
