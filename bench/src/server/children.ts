/**
 * Child processes of the server benchmarks, and the guarantee that none outlives the script: every
 * child forked here is killed (SIGKILL) when this process exits for any reason — normal end, thrown
 * error, unhandled rejection, Ctrl-C — and the scratch folders made here are removed. Children also
 * exit on their own when the IPC channel to this process closes (see `exitWithParent`).
 */
import { type ChildProcess, fork } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const children = new Set<ChildProcess>();
const scratch = new Set<string>();
let hooked = false;

function killAll(): void {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  }
  children.clear();
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
  scratch.clear();
}

function hook(): void {
  if (hooked) return;
  hooked = true;
  process.on("exit", killAll);
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.on(signal, () => {
      killAll();
      process.exit(130);
    });
  }
  process.on("uncaughtException", (e) => {
    console.error(e);
    killAll();
    process.exit(1);
  });
  process.on("unhandledRejection", (e) => {
    console.error(e);
    killAll();
    process.exit(1);
  });
}

/** Forks a TypeScript module (through tsx) with V8 flags; killed at exit whatever happens. */
export function forkTs(moduleUrl: URL, args: string[] = [], nodeFlags: string[] = []): ChildProcess {
  hook();
  const child = fork(moduleUrl, args, {
    execArgv: ["--import", "tsx", ...nodeFlags],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  children.add(child);
  child.once("exit", () => children.delete(child));
  return child;
}

/** A temporary folder removed at exit. */
export function scratchDir(prefix: string): string {
  hook();
  const dir = mkdtempSync(join(tmpdir(), prefix));
  scratch.add(dir);
  return dir;
}

/** The first message from `child` that `accept` takes (e.g. its ready message). */
export function nextMessage<T>(
  child: ChildProcess,
  accept: (m: unknown) => boolean,
  timeoutMs = 300_000,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => done(new Error("timed out waiting for a child process")), timeoutMs);
    const onMessage = (m: unknown) => {
      if (accept(m)) done(null, m as T);
    };
    const onExit = (code: number | null) =>
      done(new Error(`child process exited (${code}) before answering`));
    const done = (error: Error | null, value?: T) => {
      clearTimeout(timer);
      child.off("message", onMessage);
      child.off("exit", onExit);
      if (error) reject(error);
      else resolve(value as T);
    };
    child.on("message", onMessage);
    child.once("exit", onExit);
  });
}

/** Sends one command and waits for the answer tagged with the same `reply` id. */
let nextReply = 1;
export function ask<T>(
  child: ChildProcess,
  command: Record<string, unknown>,
  timeoutMs = 300_000,
): Promise<T> {
  const reply = nextReply++;
  const answer = nextMessage<{ reply: number; value: T }>(
    child,
    (m) => (m as { reply?: number }).reply === reply,
    timeoutMs,
  );
  child.send({ ...command, reply });
  return answer.then((m) => m.value);
}

/** Asks a child to stop, waits for it (a CPU profile is written at a normal exit), then kills it. */
export async function stopChild(child: ChildProcess, graceMs = 30_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.send({ cmd: "stop" });
  const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
  await exited;
  clearTimeout(timer);
}

/** In a child: leave when the parent is gone (its IPC channel closed). */
export function exitWithParent(): void {
  process.on("disconnect", () => process.exit(0));
}

/** Resident memory of a process by pid (Linux). */
export function rssOfPid(pid: number): number {
  const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
  return Number(kb) * 1024;
}

/** CPU seconds (user + system) of a process by pid, from /proc (clock ticks of 1/100 s). */
export function cpuSecondsOfPid(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
export const line = (label: string, value: string) => console.log(`  ${label.padEnd(34)} ${value}`);
export const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MiB`;
