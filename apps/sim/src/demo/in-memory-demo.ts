/**
 * The in-memory demo: a small fleet and a few renters trade for some simulated hours on the real
 * domain (`@xenblocks/core` over the memory storage) with a fake clock, so a day takes seconds. It
 * behaves like the real worker on the wire (register, AVAILABLE, heartbeats every 30 s, LEASED then
 * MINING, blocks with the lease prefix, COMPLETED then AVAILABLE after a release) and some workers
 * misbehave (never confirm, drop offline mid-lease).
 */
import {
  addressBytes,
  base64NoPad,
  createPlatform,
  formatMoney,
  type LeaseRecord,
  type Platform,
  type RegisterMessage,
  type Storage,
  xnm,
} from "@xenblocks/core";
import { fakeClock, recordingChannel, seededIds, seededRandom } from "@xenblocks/core/testing";
import { createMemoryStorage } from "@xenblocks/storage";

export interface DemoOptions {
  hours: number;
  workers: number;
  renters: number;
  seed: number;
  /** Called every simulated 15 minutes. */
  onProgress?: (p: DemoProgress) => void;
}

export interface DemoProgress {
  simulatedSec: number;
  online: number;
  leased: number;
  blocks: number;
}

export interface DemoSummary {
  leases: Record<string, number>;
  blocks: Record<string, number>;
  balances: { address: string; role: "renter" | "provider"; available: string }[];
  treasury: string;
  ledgerViolations: string[];
}

const GPUS = [
  "NVIDIA GeForce RTX 4090",
  "NVIDIA GeForce RTX 3090",
  "NVIDIA GeForce RTX 3060",
  "NVIDIA A100-SXM4-80GB",
];
const ADMIN = "0xad00000000000000000000000000000000000001";
const address = (prefix: string, n: number) =>
  `0x${prefix}${n.toString(16).padStart(40 - prefix.length, "0")}`;

export async function runInMemoryDemo(options: DemoOptions, storage: Storage = createMemoryStorage()) {
  const random = seededRandom(options.seed);
  const clock = fakeClock();
  const channel = recordingChannel();
  const platform: Platform = createPlatform({
    storage,
    channel,
    clock,
    ids: seededIds(options.seed, clock),
    config: { admins: [ADMIN] },
  });
  await platform.start();
  const t0 = clock.now();
  const ts = () => Math.floor(clock.now() / 1000);
  const owners = [address("a", 1), address("a", 2)];
  const renters = Array.from({ length: options.renters }, (_, i) => address("c", i + 1));
  const workers = Array.from({ length: options.workers }, (_, i) => ({
    id: `demo-${i.toString(16).padStart(4, "0")}`,
    owner: owners[i % owners.length]!,
    gpu: GPUS[i % GPUS.length]!,
    gpuCount: [1, 2, 4][i % 3]!,
    flaky: i % 7 === 3, // never confirms an assignment
    online: true,
    lease: null as LeaseRecord | null,
    /** The worker's own expiry of its lease (receipt + duration), as the real worker keeps it. */
    leaseEndsAt: 0,
  }));
  const hashrate = (w: (typeof workers)[number]) => w.gpuCount * (1500 + (w.gpu.length % 5) * 400);

  for (const w of workers) {
    const register: RegisterMessage = {
      worker_id: w.id,
      eth_address: w.owner,
      gpu_count: w.gpuCount,
      total_memory_gb: 24 * w.gpuCount,
      gpus: Array.from({ length: w.gpuCount }, (_, index) => ({
        index,
        name: w.gpu,
        memory_gb: 24,
        bus_id: index + 1,
      })),
      version: "2.0.0",
      timestamp: ts(),
    };
    await platform.fleet.onRegister(register);
    await platform.fleet.onStatus({ worker_id: w.id, state: "AVAILABLE", timestamp: ts() });
  }
  for (const r of renters)
    await platform.payments.credit({ address: ADMIN, via: "wallet" }, r, xnm(2000), `demo-${r}`);

  const status = (
    w: (typeof workers)[number],
    state: "LEASED" | "MINING" | "COMPLETED" | "AVAILABLE",
    leaseId?: string,
  ) =>
    platform.fleet.onStatus({
      worker_id: w.id,
      state,
      ...(leaseId && { lease_id: leaseId }),
      timestamp: ts(),
    });

  /** The worker's reaction to what the platform sent it since the last tick. */
  async function react() {
    const sent = channel.sent.splice(0);
    for (const { workerId, message } of sent) {
      const w = workers.find((x) => x.id === workerId)!;
      if (!w.online || message.topic !== "task") continue;
      const p = message.payload;
      if (p.command === "assign_task" && !w.flaky) {
        w.lease = (await storage.leases.get(p.lease_id)) ?? null;
        w.leaseEndsAt = clock.now() + p.duration_sec * 1000;
        await status(w, "LEASED");
        await status(w, "MINING", p.lease_id);
      }
      if (p.command === "release" && w.lease?.leaseId === p.lease_id) {
        await status(w, "COMPLETED", p.lease_id);
        await status(w, "AVAILABLE");
        w.lease = null;
      }
    }
  }

  let blocks = 0;
  const end = options.hours * 3600;
  for (let sec = 5; sec <= end; sec += 5) {
    clock.set(t0 + sec * 1000);
    await react();
    for (const w of workers) {
      if (w.lease && clock.now() >= w.leaseEndsAt && w.online) {
        await status(w, "COMPLETED", w.lease.leaseId);
        await status(w, "AVAILABLE");
        w.lease = null;
      }
      if (sec % 30 === 0 && w.online) {
        await platform.fleet.onHeartbeat({
          worker_id: w.id,
          hashrate: hashrate(w),
          active_gpus: w.gpuCount,
          accepted_blocks: 0,
          difficulty: 1727,
          uptime_sec: sec,
          timestamp: ts(),
        });
      }
      // Now and then a worker drops off the network for a while, lease or not.
      if (w.online && random() < 0.0004) w.online = false;
      else if (!w.online && random() < 0.01) w.online = true;
      if (w.online && w.lease && random() < 0.01) {
        const key =
          w.lease.prefix + Array.from({ length: 48 }, () => Math.floor(random() * 16).toString(16)).join("");
        const salt = base64NoPad(addressBytes(w.lease.consumerAddress)!);
        const pure = `demo${random() < 0.05 ? "XUNI7" : "XEN11"}`.padEnd(86, "x");
        await platform.blocks.onBlock({
          worker_id: w.id,
          lease_id: w.lease.leaseId,
          hash: `$argon2id$v=19$m=1727,t=1,p=1$${salt}$${pure}`,
          key,
          account: w.lease.consumerAddress,
          attempts: Math.floor(random() * 1e6),
          hashrate: (hashrate(w) / w.gpuCount).toFixed(2),
          timestamp: ts(),
        });
        blocks++;
      }
    }
    if (sec % 60 === 0) {
      const renter = renters[Math.floor(random() * renters.length)]!;
      if (random() < 0.5) {
        await platform.rental.rent(
          { address: renter, via: "wallet" },
          { durationSec: [600, 1800, 3600][sec % 3]! },
        );
      } else {
        const open = (await storage.leases.list({ limit: 5, renter, state: "active" })).items[0];
        if (open && random() < 0.3)
          await platform.rental.stop({ address: renter, via: "wallet" }, open.leaseId);
      }
    }
    await platform.jobs.runAll();
    if (sec % 900 === 0 && options.onProgress) {
      const onlineCount = (await storage.workers.listOnline()).length;
      options.onProgress({
        simulatedSec: sec,
        online: onlineCount,
        leased: (await storage.leases.listOpen()).length,
        blocks,
      });
    }
  }
  return summarize(platform, storage, renters, owners);
}

async function summarize(
  platform: Platform,
  storage: Storage,
  renters: string[],
  owners: string[],
): Promise<DemoSummary> {
  const leases: Record<string, number> = {};
  for (let cursor: string | null = null, first = true; first || cursor; first = false) {
    const page = await storage.leases.list({ limit: 100, cursor });
    for (const l of page.items) {
      const key = l.reason ? `${l.state} (${l.reason})` : l.state;
      leases[key] = (leases[key] ?? 0) + 1;
    }
    cursor = page.nextCursor;
  }
  const blocks = platform.counters.snapshot();
  const balances = [
    ...renters.map((a) => ({ address: a, role: "renter" as const })),
    ...owners.map((a) => ({ address: a, role: "provider" as const })),
  ];
  const all = await storage.ledger.allBalances();
  return {
    leases,
    blocks: Object.fromEntries(Object.entries(blocks).filter(([k]) => k.startsWith("blocks_"))),
    balances: await Promise.all(
      balances.map(async (b) => ({
        ...b,
        available: formatMoney((await platform.accounts.balance(b.address)).available),
      })),
    ),
    treasury: formatMoney(all.get("treasury") ?? 0n),
    ledgerViolations: await platform.ledgerViolations(),
  };
}
