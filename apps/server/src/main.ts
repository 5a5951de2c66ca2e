#!/usr/bin/env node
/** `pnpm start -- [flags]`: parse the config, start the server, shut down gracefully on SIGINT/SIGTERM. */
import { HELP, loadConfig } from "./config.js";
import { createLogger } from "./log.js";
import { startServer } from "./server.js";

const loaded = loadConfig(process.argv.slice(2), process.env);
if (loaded.kind === "help") {
  process.stdout.write(HELP);
  process.exit(0);
}
if (loaded.kind === "error") {
  process.stderr.write(`xenblocks-server: ${loaded.message}\nRun with --help for the flags.\n`);
  process.exit(2);
}
const config = loaded.config;
const logger = createLogger(config.logLevel);

try {
  const server = await startServer(config, logger);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) {
      logger.warn("second signal: exiting now", { signal });
      process.exit(1);
    }
    stopping = true;
    logger.info("shutting down", { signal });
    server.close().then(
      () => {
        logger.info("stopped");
        process.exit(0);
      },
      () => process.exit(1),
    );
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));
} catch (e) {
  logger.error("the server could not start", { error: e instanceof Error ? e.message : String(e) });
  process.exit(1);
}
