/**
 * A closed-loop HTTP load generator: `connections` loops, each with its own keep-alive socket (one
 * `http.Agent` with `keepAlive` and `maxSockets = connections`), each sending its next GET as soon as
 * the previous answer has been read in full. Plain `http.request` rather than fetch: in this process it
 * costs less CPU per request than undici's fetch, and the client shares the 2 cores with the server.
 */
import { Agent, request } from "node:http";
import { percentile } from "../stats.js";

export interface LoadResult {
  seconds: number;
  requests: number;
  errors: number;
  /** Status → count for answers other than 200. */
  statuses: Record<string, number>;
  errorSamples: string[];
  perSec: number;
  p50: number;
  p99: number;
  max: number;
  bytesPerRequest: number;
  /** Share of requests whose path had been asked less than 1 s before (the server's view-cache TTL). */
  repeatWithin1s: number;
  /** This process's CPU over the window, in cores (1 = one full core). */
  clientCpu: number;
}

export interface LoadOptions {
  port: number;
  connections: number;
  warmupSec: number;
  seconds: number;
  nextPath: () => string;
  /** Called when the measured window opens and closes (read other processes' CPU there). */
  onWindowStart?: () => void;
  onWindowEnd?: () => void;
  /** Called once a second during the measured window (samples the server's memory, say). */
  onSecond?: () => void;
}

export async function closedLoop(options: LoadOptions): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: options.connections, keepAliveMsecs: 10_000 });
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  const errorSamples: string[] = [];
  const lastAsked = new Map<string, number>();
  let measuring = false;
  let stopping = false;
  let requests = 0;
  let errors = 0;
  let bytes = 0;
  let repeats = 0;

  const one = (path: string) =>
    new Promise<void>((resolve) => {
      const started = performance.now();
      const counted = measuring;
      if (counted) {
        const last = lastAsked.get(path);
        if (last !== undefined && started - last < 1000) repeats++;
      }
      lastAsked.set(path, started);
      const fail = (what: string) => {
        if (counted) {
          errors++;
          if (errorSamples.length < 5) errorSamples.push(what);
        }
        resolve();
      };
      const req = request(
        {
          host: "127.0.0.1",
          port: options.port,
          path,
          method: "GET",
          agent,
          headers: { accept: "application/json" },
        },
        (res) => {
          let size = 0;
          res.on("data", (chunk: Buffer) => {
            size += chunk.length;
          });
          res.on("end", () => {
            if (!counted) return resolve();
            requests++;
            bytes += size;
            latencies.push(performance.now() - started);
            if (res.statusCode !== 200) {
              statuses[String(res.statusCode)] = (statuses[String(res.statusCode)] ?? 0) + 1;
              fail(`${res.statusCode} ${path}`);
              return;
            }
            resolve();
          });
          res.on("error", (e) => fail(e.message));
        },
      );
      req.on("error", (e) => fail(e.message));
      req.end();
    });

  const lanes = Array.from({ length: options.connections }, async () => {
    while (!stopping) await one(options.nextPath());
  });

  await new Promise((r) => setTimeout(r, options.warmupSec * 1000));
  measuring = true;
  options.onWindowStart?.();
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const ticker = setInterval(() => options.onSecond?.(), 1000);
  await new Promise((r) => setTimeout(r, options.seconds * 1000));
  measuring = false;
  const elapsed = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  options.onWindowEnd?.();
  clearInterval(ticker);
  stopping = true;
  await Promise.all(lanes);
  agent.destroy();

  latencies.sort((a, b) => a - b);
  return {
    seconds: elapsed,
    requests,
    errors,
    statuses,
    errorSamples,
    perSec: requests / elapsed,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    max: latencies.at(-1) ?? Number.NaN,
    bytesPerRequest: requests > 0 ? bytes / requests : 0,
    repeatWithin1s: requests > 0 ? repeats / requests : 0,
    clientCpu: (cpu.user + cpu.system) / 1e6 / elapsed,
  };
}

/** One GET, the body parsed as JSON (sanity checks before a run). */
export function getJson(port: number, path: string): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path, method: "GET" }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        try {
          resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) });
        } catch {
          resolve({ status: res.statusCode ?? 0, body: text });
        }
      });
    });
    req.on("error", reject);
    req.end();
  });
}
