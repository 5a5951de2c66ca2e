/**
 * A whole marketplace in memory for tests: the platform over a given storage, a fake clock, seeded
 * ids, a recording worker channel, and helpers that send what the real worker sends.
 */
import {
  type Actor,
  addressBytes,
  type BlockMessage,
  base64NoPad,
  type ChainLookup,
  createPlatform,
  type PlatformConfigInput,
  parseInbound,
  type Storage,
  type WorkerState,
  xnm,
} from "@xenblocks/core";
import { fakeClock, recordingChannel, seededIds } from "@xenblocks/core/testing";

export const ADMIN = "0xad00000000000000000000000000000000000001";
export const OWNER_A = "0x8d56DA55A9D91b40AfF945714b19E9DfDE32D9C2";
export const OWNER_B = "0xb0b0000000000000000000000000000000000002";
export const RENTER_1 = "0x2ac9de9d494459ab28fd09f10056cfa1d4c6af40";
export const RENTER_2 = "0x7777777777777777777777777777777777777777";

export const wallet = (address: string): Actor => ({ address, via: "wallet" });

/** A chain whose known keys the test controls. */
export function fakeChain() {
  const known = new Map<string, ChainLookup>();
  let reachable = true;
  return {
    name: "test-chain",
    known,
    setReachable(value: boolean) {
      reachable = value;
    },
    async lookup(key: string): Promise<ChainLookup> {
      if (!reachable) throw new Error("chain unreachable");
      return known.get(key) ?? { found: false };
    },
  };
}

export async function marketplace(
  storage: Storage,
  options: { config?: PlatformConfigInput; chain?: ReturnType<typeof fakeChain> | null; seed?: number } = {},
) {
  const clock = fakeClock();
  const channel = recordingChannel();
  const chain = options.chain === undefined ? fakeChain() : options.chain;
  const platform = createPlatform({
    storage,
    channel,
    clock,
    ids: seededIds(options.seed ?? 7, clock),
    chain,
    config: { admins: [ADMIN], faucet: { enabled: true }, ...options.config },
  });
  await platform.start();

  /** Feeds a worker → platform message through the same parser the broker uses. */
  async function inbound(workerId: string, suffix: string, payload: object, retained = false) {
    const parsed = parseInbound(`xenminer/${workerId}/${suffix}`, JSON.stringify(payload));
    if (!parsed.ok) throw new Error(`test sent an invalid ${suffix}: ${parsed.reason} ${parsed.detail}`);
    switch (parsed.suffix) {
      case "register":
        return platform.fleet.onRegister(parsed.message);
      case "heartbeat":
        return platform.fleet.onHeartbeat(parsed.message);
      case "status":
        return platform.fleet.onStatus(parsed.message, { retained });
      case "block":
        return platform.blocks.onBlock(parsed.message);
    }
  }

  const ts = () => Math.floor(clock.now() / 1000);

  const worker = (
    id: string,
    owner = OWNER_A,
    gpus = ["NVIDIA GeForce RTX 4090", "NVIDIA GeForce RTX 4090"],
  ) => ({
    id,
    register: () =>
      inbound(id, "register", {
        worker_id: id,
        eth_address: owner,
        gpu_count: gpus.length,
        total_memory_gb: 24 * gpus.length,
        gpus: gpus.map((name, index) => ({ index, name, memory_gb: 24, bus_id: index + 1 })),
        version: "2.0.0",
        timestamp: ts(),
      }),
    status: (state: WorkerState, leaseId?: string) =>
      inbound(id, "status", { worker_id: id, state, ...(leaseId && { lease_id: leaseId }), timestamp: ts() }),
    will: (retained = false) =>
      inbound(id, "status", { worker_id: id, status: "offline", timestamp: ts() }, retained),
    heartbeat: (hashrate = 4816.54) =>
      inbound(id, "heartbeat", {
        worker_id: id,
        hashrate,
        active_gpus: gpus.length,
        accepted_blocks: 0,
        difficulty: 1727,
        address: owner,
        prefix: "",
        block_pattern: "",
        uptime_sec: 100,
        timestamp: ts(),
      }),
    block: (fields: Partial<BlockMessage> & { key: string; account: string; lease_id: string }) =>
      inbound(id, "block", {
        worker_id: id,
        hash: encodedHash(fields.account),
        attempts: 1000,
        hashrate: "2408.16",
        timestamp: ts(),
        ...fields,
      }),
    /** What the platform sent this worker, oldest first. */
    sent: () => channel.to(id).map((m) => m.payload),
    /** Registers, reports AVAILABLE and one heartbeat: a worker ready to be rented. */
    async join(hashrate = 4816.54) {
      await this.register();
      await this.status("AVAILABLE");
      await this.heartbeat(hashrate);
      // Heartbeats reach storage (and so matching) with the next batched flush.
      await platform.jobs.flushHeartbeats();
    },
    /** Confirms the lease the platform just assigned, as the real worker does. */
    async confirm(leaseId: string) {
      await this.status("LEASED");
      await this.status("MINING", leaseId);
    },
  });

  return {
    platform,
    clock,
    channel,
    chain,
    storage,
    worker,
    /** Advances the fake clock in steps, running every job after each step. */
    async elapse(ms: number, stepMs = 1000) {
      for (let left = ms; left > 0; left -= stepMs) {
        clock.advance(Math.min(stepMs, left));
        await platform.jobs.runAll();
      }
    },
    async fund(address: string, amountXnm: number) {
      const r = await platform.payments.credit(
        wallet(ADMIN),
        address,
        xnm(amountXnm),
        `fund-${address}-${clock.now()}-${amountXnm}`,
      );
      if (!r.ok) throw r.error;
      return r.value;
    },
    async available(address: string) {
      return (await platform.accounts.balance(address)).available;
    },
  };
}

/** A well-formed encoded Argon2id string for `account` whose hash segment carries `marker`. */
export function encodedHash(account: string, marker = "XEN11", m = 1727): string {
  const bytes = addressBytes(account);
  if (!bytes) throw new Error(`bad account ${account}`);
  const salt = base64NoPad(bytes);
  const pure = `ab${marker}`.padEnd(86, "q");
  return `$argon2id$v=19$m=${m},t=1,p=1$${salt}$${pure}`;
}

/** A 64-hex key that starts with `prefix` (a lease prefix) and ends with a counter. */
export function blockKey(prefix: string, n: number): string {
  return (prefix + n.toString(16).padStart(48, "0")).slice(0, 64);
}
