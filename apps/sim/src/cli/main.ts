#!/usr/bin/env node
/**
 * Entry point of `pnpm sim -- <command>`: wires `runCli` to the process.
 * The first SIGINT/SIGTERM asks the running command to stop and clean up (fleet: clear retained wills;
 * chain: save state); a second one exits at once, for a cleanup that hangs.
 */
import { runCli } from "./run-cli.js";

const stop = new AbortController();
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (stop.signal.aborted) process.exit(130);
    stop.abort();
  });
}

const code = await runCli(process.argv.slice(2), {
  out: process.stdout,
  err: process.stderr,
  stop: stop.signal,
});
// Exit explicitly: a socket some library left open must not keep a finished command alive. stdout and
// stderr writes are synchronous for files, pipes and terminals on Linux, so nothing is lost.
process.exit(code);
