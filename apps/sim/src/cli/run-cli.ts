/**
 * The command dispatcher behind `pnpm sim -- <command>`: global and per-command help, usage errors with
 * exit code 2, unexpected failures with exit code 1. Commands get the arguments after their name and a
 * `CliIo`, and return the exit code; nothing here touches `process`, so tests call it in-process.
 */
import { CHAIN_HELP, chainCommand } from "./chain-command.js";
import {
  type CliIo,
  EXIT_FAILURE,
  EXIT_OK,
  EXIT_USAGE,
  type ExitCode,
  println,
  UsageError,
} from "./cli-io.js";
import { FLEET_HELP, fleetCommand } from "./fleet-command.js";
import { scenarioCommand, scenarioHelp } from "./scenario-command.js";

export const MAIN_HELP = `pnpm sim — the XenBlocks simulator: worker fleets, the chain, CI scenarios

Usage: pnpm sim -- <command> [options]        (from the repository root; builds first)
       node apps/sim/dist/cli/main.js <command> [options]

Commands:
  fleet      N simulated XenblocksMiner workers over real MQTT, with a live progress line
  chain      the standalone chain simulator (the worker's --rpcLink), port 8545 by default
  scenario   a CI scenario against the platform, with its invariants checked at the end
  help [command]

Run "pnpm sim -- <command> --help" for a command's options.
Exit codes: 0 done, 1 failed (e.g. invariants violated, nothing connected), 2 bad command line.

Examples:
  pnpm sim -- fleet --workers 1000 --mqtt mqtt://127.0.0.1:1883 --heartbeat-sec 10
  pnpm sim -- chain --port 8545 --marker XN --verify-argon2
  pnpm sim -- scenario steady --seconds 20`;

type Command = (args: readonly string[], io: CliIo) => Promise<ExitCode>;

const COMMANDS: Readonly<Record<string, { run: Command; help: () => Promise<string> | string }>> = {
  fleet: { run: fleetCommand, help: () => FLEET_HELP },
  chain: { run: chainCommand, help: () => CHAIN_HELP },
  scenario: { run: scenarioCommand, help: scenarioHelp },
};

const isHelpFlag = (arg: string | undefined): boolean => arg === "--help" || arg === "-h";

export async function runCli(argv: readonly string[], io: CliIo): Promise<ExitCode> {
  // pnpm hands a script a literal "--" before the user's arguments (`pnpm sim -- fleet ...`).
  const args = argv[0] === "--" ? argv.slice(1) : [...argv];
  const [name, ...rest] = args;
  try {
    if (name === undefined) {
      println(io.err, MAIN_HELP);
      return EXIT_USAGE;
    }
    if (isHelpFlag(name)) {
      println(io.out, MAIN_HELP);
      return EXIT_OK;
    }
    if (name === "help") {
      const topic = rest[0];
      if (topic === undefined) println(io.out, MAIN_HELP);
      else println(io.out, await commandOf(topic).help());
      return EXIT_OK;
    }
    return await commandOf(name).run(rest, io);
  } catch (error) {
    if (error instanceof UsageError) {
      // Value checks do not know their command; the one being run does.
      const command =
        error.command ?? (name !== undefined && Object.hasOwn(COMMANDS, name) ? name : undefined);
      const more = command ? `pnpm sim -- ${command} --help` : "pnpm sim -- --help";
      println(io.err, `error: ${error.message}\nSee "${more}".`);
      return EXIT_USAGE;
    }
    println(io.err, `error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return EXIT_FAILURE;
  }
}

function commandOf(name: string): (typeof COMMANDS)[string] {
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!command) {
    throw new UsageError(`unknown command "${name}": choose ${Object.keys(COMMANDS).join(", ")}`);
  }
  return command;
}
