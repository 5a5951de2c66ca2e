/**
 * The chain the platform verifies blocks against (platform-rules §6): the simulator mounted on the HTTP
 * port (default), an external chain RPC asked over HTTP, or none (verification skipped).
 */
import type { Chain, ChainLookup } from "@xenblocks/core";
import { type ChainHandle, chainPort, openChain } from "@xenblocks/sim/chain";

export interface ChainSetup {
  /** The port the platform asks; null = verification skipped. */
  chain: Chain | null;
  /** The embedded simulator, to mount on the HTTP port. */
  embedded: ChainHandle | null;
  close(): Promise<void>;
}

export async function openChainSetup(
  setting: string,
  options: { marker: string; dataFile?: string },
): Promise<ChainSetup> {
  if (setting === "none") return { chain: null, embedded: null, close: async () => {} };
  if (setting === "embedded") {
    const handle = await openChain({
      marker: options.marker,
      ...(options.dataFile !== undefined && { path: options.dataFile }),
    });
    return { chain: chainPort(handle.chain), embedded: handle, close: () => handle.close() };
  }
  return { chain: httpChain(setting), embedded: null, close: async () => {} };
}

/** An external chain RPC: looks the key up with `/chain/blocks?prefix=<key>`. */
export function httpChain(baseUrl: string, fetchImpl: typeof fetch = fetch): Chain {
  const base = baseUrl.replace(/\/+$/, "");
  return {
    name: "http",
    async lookup(key: string): Promise<ChainLookup> {
      const response = await fetchImpl(`${base}/chain/blocks?prefix=${encodeURIComponent(key)}&limit=5`, {
        signal: AbortSignal.timeout(10_000),
      });
      if (!response.ok) throw new Error(`chain ${base} answered ${response.status}`);
      const blocks = (await response.json()) as Array<{ key?: string; account?: string; block_id?: number }>;
      const found = Array.isArray(blocks)
        ? blocks.find((b) => b.key?.toLowerCase() === key.toLowerCase())
        : undefined;
      if (!found) return { found: false };
      return {
        found: true,
        ...(typeof found.account === "string" && { account: found.account }),
        ...(typeof found.block_id === "number" && { blockId: found.block_id }),
      };
    },
  };
}
