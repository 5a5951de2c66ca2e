#!/usr/bin/env node
/**
 * The chain simulator on its own (api.md §5): `node dist/chain/cli.js [--port 8545] [--data FILE]`.
 * Workers point `--rpcLink` at it. The platform server embeds the same chain on :8080 instead.
 */
import { parseArgs } from "node:util";
import { DEFAULT_CHAIN_PORT, startChainServer } from "./chain-server.js";
import { INITIAL_DIFFICULTY } from "./rules.js";

const HELP = `xenblocks chain simulator — the XenBlocks chain RPC the worker talks to (--rpcLink)

Usage: node dist/chain/cli.js [options]

  --port N            port to listen on (default ${DEFAULT_CHAIN_PORT}; 0 = any free port)
  --host H            interface to bind (default: all)
  --data FILE         state file (default data/chain-simulator.json)
  --memory            keep the chain in memory only (nothing written)
  --marker M          block marker (default XEN11; a test fleet's --block-marker)
  --verify-argon2     recompute Argon2id for every submitted block
  --xuni-window       accept xuni blocks only in minutes 0-4 and 55-59
  --difficulty N      difficulty of a new chain (default ${INITIAL_DIFFICULTY})
  --help              this text`;

function fail(message: string): never {
  console.error(`${message}\n\n${HELP}`);
  process.exit(2);
}

function integer(name: string, raw: string | undefined, fallback: number, min: number, max: number) {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) fail(`--${name} must be an integer from ${min} to ${max}`);
  return n;
}

function parseFlags() {
  try {
    return parseArgs({
      // pnpm passes a literal "--" before the user's flags.
      args: process.argv.slice(2).filter((arg) => arg !== "--"),
      options: {
        port: { type: "string" },
        host: { type: "string" },
        data: { type: "string" },
        memory: { type: "boolean" },
        marker: { type: "string" },
        "verify-argon2": { type: "boolean" },
        "xuni-window": { type: "boolean" },
        difficulty: { type: "string" },
        help: { type: "boolean" },
      },
    }).values;
  } catch (error) {
    fail((error as Error).message);
  }
}

const values = parseFlags();
if (values.help) {
  console.log(HELP);
  process.exit(0);
}
if (values.marker === "") fail("--marker must not be empty");

const server = await startChainServer({
  port: integer("port", values.port, DEFAULT_CHAIN_PORT, 0, 65_535),
  ...(values.host ? { host: values.host } : {}),
  ...(values.memory ? {} : { path: values.data ?? "data/chain-simulator.json" }),
  ...(values.marker ? { marker: values.marker } : {}),
  verifyArgon2: values["verify-argon2"] ?? false,
  enforceXuniWindow: values["xuni-window"] ?? false,
  initialDifficulty: integer("difficulty", values.difficulty, INITIAL_DIFFICULTY, 1, 100_000),
});
console.log(`chain simulator listening on port ${server.port} (difficulty ${server.chain.difficulty()})`);

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    // close() writes the pending state; exit only after it has.
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error("chain simulator: could not save its state:", error);
        process.exit(1);
      },
    );
  });
}
