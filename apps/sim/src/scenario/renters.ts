/**
 * Renters driving the platform through its library API, as a person would through the dashboard:
 * funded by the admin, they rent for a while, some stop early, and at the end everyone stops what is
 * still running. Refusals (no capacity, a worker taken meanwhile) are normal and counted by code.
 */
import { type Actor, type LeaseRecord, type Platform, xnm } from "@xenblocks/core";
import { SCENARIO_ADMIN } from "./platform-host.js";

const wallet = (address: string): Actor => ({ address, via: "wallet" });

export interface RenterStats {
  rented: number;
  stopped: number;
  refused: Record<string, number>;
}

export class Renters {
  readonly stats: RenterStats = { rented: 0, stopped: 0, refused: {} };
  /** Each renter's current lease, by address. */
  private readonly open = new Map<string, LeaseRecord>();
  readonly addresses: string[];

  constructor(
    private readonly platform: Platform,
    count: number,
    private readonly random: () => number,
  ) {
    this.addresses = Array.from(
      { length: count },
      (_, i) => `0x${(0xbeef0000 + i).toString(16).padStart(40, "0")}`,
    );
  }

  async fund(amountXnm: number): Promise<void> {
    for (const address of this.addresses) {
      const r = await this.platform.payments.credit(
        wallet(SCENARIO_ADMIN),
        address,
        xnm(amountXnm),
        `scenario-fund-${address}`,
      );
      if (!r.ok) throw r.error;
    }
  }

  /** One renter asks for a lease of `durationSec` on the best available worker. */
  async rent(address: string, durationSec: number): Promise<boolean> {
    const r = await this.platform.rental.rent(wallet(address), { durationSec });
    if (!r.ok) {
      this.stats.refused[r.error.code] = (this.stats.refused[r.error.code] ?? 0) + 1;
      return false;
    }
    this.stats.rented += 1;
    this.open.set(address, r.value);
    return true;
  }

  async stop(address: string): Promise<void> {
    const lease = this.open.get(address);
    if (!lease) return;
    this.open.delete(address);
    const r = await this.platform.rental.stop(wallet(address), lease.leaseId);
    // A lease that ended on its own meanwhile (expiry, worker gone) refuses the stop: that is fine.
    if (r.ok) this.stats.stopped += 1;
  }

  /**
   * One round of ordinary behaviour: a renter without a lease rents with probability `rentChance`
   * (durations in `durationSec`), one with a lease stops it with probability `stopChance`.
   */
  async round(rentChance: number, stopChance: number, durationSec: readonly [number, number]): Promise<void> {
    await this.forget();
    await Promise.all(
      this.addresses.map(async (address) => {
        if (this.open.has(address)) {
          if (this.random() < stopChance) await this.stop(address);
        } else if (this.random() < rentChance) {
          const [min, max] = durationSec;
          await this.rent(address, Math.round(min + (max - min) * this.random()));
        }
      }),
    );
  }

  /** Every renter at once: the lease storm. */
  async storm(durationSec: number): Promise<void> {
    await this.forget();
    await Promise.all(this.addresses.filter((a) => !this.open.has(a)).map((a) => this.rent(a, durationSec)));
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.open.keys()].map((a) => this.stop(a)));
  }

  /** Drops leases that ended without the renter (expiry, interruption, cancellation). */
  private async forget(): Promise<void> {
    for (const [address, lease] of this.open) {
      const now = await this.platform.rental.getLease(wallet(address), lease.leaseId);
      if (now.ok && now.value.lease.state !== "pending" && now.value.lease.state !== "active")
        this.open.delete(address);
    }
  }
}
