import { describe, expect, it } from "vitest";
import type { CandidateQuery } from "../ports.js";
import type { WorkerRecord } from "../types.js";
import { isCandidate, whyNotCandidate } from "./matching.js";

const NOW = 1_795_788_543_000;
const OWNER = "0x8d56da55a9d91b40aff945714b19e9dfde32d9c2";
const RENTER = "0x2ac9de9d494459ab28fd09f10056cfa1d4c6af40";

type Candidate = Parameters<typeof whyNotCandidate>[0];

function worker(patch: Partial<WorkerRecord> = {}): Candidate {
  return {
    workerId: "776536cd9695ca58",
    owner: OWNER,
    online: true,
    state: "AVAILABLE",
    listed: true,
    banned: false,
    suspect: false,
    releaseLeaseId: null,
    releaseSentAt: null,
    lastSentAt: null,
    minDurationSec: 60,
    maxDurationSec: 86_400,
    pricePerSec: 40_000n,
    hashrate: 4816.54,
    gpus: [
      { index: 0, name: "NVIDIA GeForce RTX 4090", memoryGb: 24, busId: 1 },
      { index: 1, name: "NVIDIA GeForce RTX 3090", memoryGb: 24, busId: 2 },
    ],
    ...patch,
  };
}

function query(patch: Partial<CandidateQuery> = {}): CandidateQuery {
  return {
    now: NOW,
    durationSec: 3600,
    settleGapMs: 2_000,
    releaseWaitMs: 30_000,
    renter: RENTER,
    requireHashrate: false,
    limit: 10,
    ...patch,
  };
}

function refusal(w: Candidate, q: CandidateQuery = query(), hasOpenLease = false) {
  const r = whyNotCandidate(w, hasOpenLease, q);
  expect(isCandidate(w, hasOpenLease, q)).toBe(r === null);
  return r;
}

describe("whyNotCandidate: a fully matchable worker", () => {
  it("has no refusal, with every filter given and satisfied", () => {
    const q = query({
      maxPricePerSec: 40_000n,
      minHashrate: 4816.54,
      gpu: "rtx 3090",
      requireHashrate: true,
      durationSec: 60,
    });
    expect(refusal(worker(), q)).toBeNull();
    expect(refusal(worker(), query({ durationSec: 86_400 }))).toBeNull();
  });

  it("tolerates an earlier release answered long ago and a message sent 2 s ago", () => {
    const w = worker({ releaseLeaseId: "lease-old", releaseSentAt: NOW - 30_000, lastSentAt: NOW - 2_000 });
    expect(refusal(w)).toBeNull();
  });
});

describe("whyNotCandidate: refusals", () => {
  it("SELF_RENTAL for the owner, whatever the case of the renter's address", () => {
    expect(refusal(worker(), query({ renter: OWNER }))?.code).toBe("SELF_RENTAL");
    expect(refusal(worker(), query({ renter: "0x8d56DA55A9D91b40AfF945714b19E9DfDE32D9C2" }))?.code).toBe(
      "SELF_RENTAL",
    );
  });

  it("banned → WORKER_NOT_AVAILABLE", () => {
    const r = refusal(worker({ banned: true }));
    expect(r?.code).toBe("WORKER_NOT_AVAILABLE");
    expect(r?.message).toContain("banned");
  });

  it("offline → WORKER_OFFLINE", () => {
    expect(refusal(worker({ online: false }))?.code).toBe("WORKER_OFFLINE");
  });

  it("an open (pending/active) lease → WORKER_BUSY", () => {
    const r = refusal(worker(), query(), true);
    expect(r?.code).toBe("WORKER_BUSY");
    expect(r?.message).toContain("already leased");
  });

  it("unlisted → WORKER_NOT_AVAILABLE", () => {
    const r = refusal(worker({ listed: false }));
    expect(r?.code).toBe("WORKER_NOT_AVAILABLE");
    expect(r?.message).toContain("not listed");
  });

  it("suspect → WORKER_NOT_AVAILABLE", () => {
    const r = refusal(worker({ suspect: true }));
    expect(r?.code).toBe("WORKER_NOT_AVAILABLE");
    expect(r?.message).toContain("missed an assignment");
  });

  it.each(["IDLE", "LEASED", "MINING", "COMPLETED", "ERROR", "offline", null] as const)(
    "known state %s → WORKER_NOT_AVAILABLE",
    (state) => {
      const r = refusal(worker({ state }));
      expect(r?.code).toBe("WORKER_NOT_AVAILABLE");
      expect(r?.message).toContain(`state ${state ?? "unknown"}`);
    },
  );

  describe("outstanding release (worker-protocol §7)", () => {
    it("owed to a worker that was offline (not sent yet) → WORKER_BUSY, however old", () => {
      expect(refusal(worker({ releaseLeaseId: "lease-old", releaseSentAt: null }))?.code).toBe("WORKER_BUSY");
    });

    it.each([0, 1, 15_000, 29_999])("sent %s ms ago (within the 30 s wait) → WORKER_BUSY", (ago) => {
      const r = refusal(
        worker({ releaseLeaseId: "lease-old", releaseSentAt: NOW - ago, lastSentAt: NOW - 60_000 }),
      );
      expect(r?.code).toBe("WORKER_BUSY");
      expect(r?.message).toContain("finishing its previous lease");
    });

    it.each([30_000, 30_001, 600_000])("sent %s ms ago (the wait is over) → matchable", (ago) => {
      expect(refusal(worker({ releaseLeaseId: "lease-old", releaseSentAt: NOW - ago }))).toBeNull();
    });

    it("uses the wait it is given", () => {
      const w = worker({ releaseLeaseId: "lease-old", releaseSentAt: NOW - 10_000 });
      expect(refusal(w, query({ releaseWaitMs: 5_000 }))).toBeNull();
      expect(refusal(w, query({ releaseWaitMs: 20_000 }))?.code).toBe("WORKER_BUSY");
    });

    it("a sent time without a release id is not a release", () => {
      expect(refusal(worker({ releaseLeaseId: null, releaseSentAt: NOW - 1 }))).toBeNull();
    });
  });

  describe("settle gap of 2 s", () => {
    it.each([0, 1, 1_999])("last message %s ms ago → WORKER_BUSY", (ago) => {
      expect(refusal(worker({ lastSentAt: NOW - ago }))?.code).toBe("WORKER_BUSY");
    });

    it.each([2_000, 2_001, 60_000])("last message %s ms ago → matchable", (ago) => {
      expect(refusal(worker({ lastSentAt: NOW - ago }))).toBeNull();
    });

    it("uses the gap it is given", () => {
      expect(refusal(worker({ lastSentAt: NOW - 2_500 }), query({ settleGapMs: 3_000 }))?.code).toBe(
        "WORKER_BUSY",
      );
    });
  });

  it.each([
    [59, "below"],
    [86_401, "above"],
    [1, "far below"],
  ])("duration %s s (%s the bounds) → DURATION_OUT_OF_RANGE", (durationSec) => {
    const r = refusal(worker(), query({ durationSec }));
    expect(r?.code).toBe("DURATION_OUT_OF_RANGE");
    expect(r?.message).toContain("60..86400");
  });

  it("duration bounds are the worker's own", () => {
    const w = worker({ minDurationSec: 600, maxDurationSec: 1_200 });
    expect(refusal(w, query({ durationSec: 599 }))?.code).toBe("DURATION_OUT_OF_RANGE");
    expect(refusal(w, query({ durationSec: 1_201 }))?.code).toBe("DURATION_OUT_OF_RANGE");
    expect(refusal(w, query({ durationSec: 600 }))).toBeNull();
    expect(refusal(w, query({ durationSec: 1_200 }))).toBeNull();
  });

  it("price above the renter's maximum → PRICE_ABOVE_MAX; equal is fine", () => {
    expect(refusal(worker(), query({ maxPricePerSec: 39_999n }))?.code).toBe("PRICE_ABOVE_MAX");
    expect(refusal(worker(), query({ maxPricePerSec: 40_000n }))).toBeNull();
    expect(refusal(worker({ pricePerSec: 0n }), query({ maxPricePerSec: 0n }))).toBeNull();
  });

  it("hashrate below the minimum → WORKER_NOT_AVAILABLE; equal is fine", () => {
    const r = refusal(worker(), query({ minHashrate: 4816.55 }));
    expect(r?.code).toBe("WORKER_NOT_AVAILABLE");
    expect(r?.message).toContain("below");
    expect(refusal(worker(), query({ minHashrate: 4816.54 }))).toBeNull();
    expect(refusal(worker({ hashrate: 0 }), query({ minHashrate: 0 }))).toBeNull();
  });

  it("GPU filter is a case-insensitive substring of any GPU name", () => {
    for (const gpu of ["RTX 4090", "rtx 4090", "GeForce RTX 3090", "nvidia", "4090", "Rtx 30"]) {
      expect(refusal(worker(), query({ gpu }))).toBeNull();
    }
    for (const gpu of ["RTX 4080", "A100", "RTX4090"]) {
      const r = refusal(worker(), query({ gpu }));
      expect(r?.code).toBe("WORKER_NOT_AVAILABLE");
      expect(r?.message).toContain(`"${gpu}"`);
    }
  });

  it("a worker without GPUs never matches a GPU filter", () => {
    expect(refusal(worker({ gpus: [] }), query({ gpu: "RTX" }))?.code).toBe("WORKER_NOT_AVAILABLE");
    expect(refusal(worker({ gpus: [] }))).toBeNull();
  });

  it("requireHashrate refuses a worker with hashrate 0 (best-value path only)", () => {
    const r = refusal(worker({ hashrate: 0 }), query({ requireHashrate: true }));
    expect(r?.code).toBe("WORKER_NOT_AVAILABLE");
    expect(r?.message).toContain("hashrate");
    expect(refusal(worker({ hashrate: 0 }), query({ requireHashrate: false }))).toBeNull();
    expect(refusal(worker({ hashrate: 0.01 }), query({ requireHashrate: true }))).toBeNull();
  });

  it("names the worker in every message", () => {
    const r = refusal(worker({ workerId: "w-xyz", online: false }));
    expect(r?.message).toContain("w-xyz");
  });
});

describe("whyNotCandidate: the first reason wins", () => {
  it("self-rental before anything else", () => {
    const w = worker({ banned: true, online: false, listed: false, suspect: true, state: "IDLE" });
    expect(refusal(w, query({ renter: OWNER, durationSec: 1 }), true)?.code).toBe("SELF_RENTAL");
  });

  it("banned before offline, offline before busy, busy before unlisted", () => {
    expect(refusal(worker({ banned: true, online: false }))?.message).toContain("banned");
    expect(refusal(worker({ online: false }), query(), true)?.code).toBe("WORKER_OFFLINE");
    expect(refusal(worker({ listed: false }), query(), true)?.code).toBe("WORKER_BUSY");
  });

  it("availability before duration, duration before price", () => {
    expect(refusal(worker({ state: "IDLE" }), query({ durationSec: 1 }))?.code).toBe("WORKER_NOT_AVAILABLE");
    expect(refusal(worker(), query({ durationSec: 1, maxPricePerSec: 1n }))?.code).toBe(
      "DURATION_OUT_OF_RANGE",
    );
  });
});
