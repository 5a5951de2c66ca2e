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
  /** `embedded`, `http` or `none` (api.md `chainAdapter`). */
  adapter: "embedded" | "http" | "none";
  /** Difficulty and block count as the chain reports them; null when it does not answer. */
  stats(): Promise<{ difficulty: number; totalBlocks: number } | null>;
  close(): Promise<void>;
}

export async function openChainSetup(
  setting: string,
  options: { marker: string; dataFile?: string },
): Promise<ChainSetup> {
  if (setting === "none") {
    return { chain: null, embedded: null, adapter: "none", stats: async () => null, close: async () => {} };
  }
  if (setting === "embedded") {
    const handle = await openChain({
      marker: options.marker,
      ...(options.dataFile !== undefined && { path: options.dataFile }),
    });
    return {
      chain: chainPort(handle.chain),
      embedded: handle,
      adapter: "embedded",
      stats: async () => {
        const s = handle.chain.stats();
        return { difficulty: s.difficulty, totalBlocks: s.total_blocks };
      },
      close: () => handle.close(),
    };
  }
  const base = setting.replace(/\/+$/, "");
  return {
    chain: httpChain(setting),
    embedded: null,
    adapter: "http",
    stats: async () => {
      try {
        const response = await fetch(`${base}/chain/stats`, { signal: AbortSignal.timeout(3_000) });
        if (!response.ok) return null;
        const body = (await response.json()) as { difficulty?: unknown; total_blocks?: unknown };
        const difficulty = Number(body.difficulty);
        const totalBlocks = Number(body.total_blocks);
        return Number.isFinite(difficulty) && Number.isFinite(totalBlocks)
          ? { difficulty, totalBlocks }
          : null;
      } catch {
        return null;
      }
    },
    close: async () => {},
  };
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
