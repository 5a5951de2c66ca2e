/**
 * Bad input never throws out of the platform: random payloads on every worker topic and adversarial
 * (but well-typed) arguments to every public operation come back as a counted refusal or a typed
 * error, and never corrupt the books.
 */
import { type Actor, MAX_AMOUNT, parseInbound } from "@xenblocks/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { engines } from "./engines.js";
import { ADMIN, marketplace, OWNER_A, RENTER_1, wallet } from "./harness.js";

const SUFFIXES = ["register", "heartbeat", "status", "block", "task", "control", "nope"];
const weirdString = fc.oneof(
  fc.string(),
  fc.constantFrom("", " ", "0x", "lease-", "0xZZ", "x".repeat(300), "\u0000", "../../", "NaN", "-1"),
);
const weirdNumber = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, -1, 0, 2 ** 53, -(2 ** 53)),
);
const weirdBigint = fc.oneof(fc.bigInt(), fc.constantFrom(0n, -1n, 10n ** 30n));

describe.each(engines)("bad input ($name)", (engine) => {
  it("random MQTT payloads are dropped or refused with a reason, never thrown", async () => {
    const m = await marketplace(await engine.create());
    await m.worker("w-1").join();
    const payload = fc.oneof(
      fc.json(),
      fc.record({
        worker_id: fc.oneof(fc.constant("w-1"), weirdString),
        state: fc.oneof(fc.constantFrom("MINING", "AVAILABLE", "offline", "COMPLETED"), weirdString),
        lease_id: weirdString,
        status: fc.constantFrom("offline", "online"),
        hashrate: fc.oneof(weirdNumber, weirdString),
        key: weirdString,
        hash: weirdString,
        account: weirdString,
        timestamp: weirdNumber,
      }),
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...SUFFIXES), payload, async (suffix, body) => {
        const text = typeof body === "string" ? body : JSON.stringify(body);
        const parsed = parseInbound(`xenminer/w-1/${suffix}`, text);
        if (!parsed.ok) {
          expect(parsed.reason).toMatch(/bad_topic|invalid_json|schema|worker_id_mismatch/);
          return;
        }
        const outcome =
          parsed.suffix === "register"
            ? await m.platform.fleet.onRegister(parsed.message)
            : parsed.suffix === "heartbeat"
              ? await m.platform.fleet.onHeartbeat(parsed.message)
              : parsed.suffix === "status"
                ? await m.platform.fleet.onStatus(parsed.message)
                : await m.platform.blocks.onBlock(parsed.message);
        expect(typeof outcome.accepted).toBe("boolean");
      }),
      { numRuns: 500 },
    );
    expect(await m.platform.ledgerViolations()).toEqual([]);
  });

  it("adversarial arguments to every operation give typed errors, never exceptions", async () => {
    const m = await marketplace(await engine.create());
    await m.worker("w-1").join();
    await m.fund(RENTER_1, 10);
    const actor = fc.oneof(
      fc.constant(wallet(RENTER_1)),
      fc.constant(wallet(ADMIN)),
      fc.constant(wallet(OWNER_A)),
      fc.constant<Actor>({ address: RENTER_1, via: "api_key" }),
      weirdString.map((address) => wallet(address)),
    );
    const call = fc.oneof(
      fc
        .tuple(actor, weirdNumber, fc.option(weirdString), fc.option(weirdString), fc.option(weirdBigint))
        .map(
          ([a, durationSec, workerId, consumerAddress, maxPricePerSec]) =>
            () =>
              m.platform.rental.rent(a, {
                durationSec,
                ...(workerId !== null && { workerId }),
                ...(consumerAddress !== null && { consumerAddress }),
                ...(maxPricePerSec !== null && { maxPricePerSec }),
              }),
        ),
      fc.tuple(actor, weirdString).map(
        ([a, id]) =>
          () =>
            m.platform.rental.stop(a, id),
      ),
      fc.tuple(actor, weirdString).map(
        ([a, id]) =>
          () =>
            m.platform.rental.getLease(a, id),
      ),
      fc.tuple(actor, weirdBigint).map(
        ([a, amount]) =>
          () =>
            m.platform.payments.faucet(a, amount),
      ),
      fc.tuple(actor, weirdBigint, fc.option(weirdString)).map(
        ([a, amount, to]) =>
          () =>
            m.platform.payments.withdraw(a, amount, to ?? undefined),
      ),
      fc.tuple(actor, weirdString, weirdBigint, weirdString).map(
        ([a, address, amount, ref]) =>
          () =>
            m.platform.payments.credit(a, address, amount, ref),
      ),
      fc.tuple(actor, weirdString).map(
        ([a, id]) =>
          () =>
            m.platform.payments.cancelWithdrawal(a, id),
      ),
      fc.tuple(actor, weirdString, weirdBigint, weirdNumber, weirdNumber).map(
        ([a, id, price, min, max]) =>
          () =>
            m.platform.workers.setPricing(a, id, {
              pricePerSec: price,
              minDurationSec: min,
              maxDurationSec: max,
            }),
      ),
      fc.tuple(actor, weirdString, fc.boolean()).map(
        ([a, id, l]) =>
          () =>
            m.platform.workers.setListed(a, id, l),
      ),
      fc
        .tuple(
          actor,
          fc.oneof(fc.constant("w-1"), weirdString),
          weirdString,
          fc.dictionary(weirdString, fc.jsonValue()),
          fc.boolean(),
        )
        .map(
          ([a, workerId, action, config, confirm]) =>
            () =>
              m.platform.workers.control(a, { workerId, action, config, confirm }),
        ),
      fc.tuple(actor, weirdString, fc.boolean()).map(
        ([a, id, b]) =>
          () =>
            m.platform.workers.setBanned(a, id, b),
      ),
      fc.tuple(actor, weirdString).map(
        ([a, name]) =>
          () =>
            m.platform.accounts.createApiKey(a, name),
      ),
      fc.tuple(actor, weirdString).map(
        ([a, id]) =>
          () =>
            m.platform.accounts.revokeApiKey(a, id),
      ),
      weirdString.map((address) => () => m.platform.accounts.ensure(address)),
    );
    await fc.assert(
      fc.asyncProperty(call, async (run) => {
        const result = await run();
        if (!result.ok) expect(result.error.code).toMatch(/^[A-Z_]+$/);
      }),
      { numRuns: 1000 },
    );
    expect(await m.platform.ledgerViolations()).toEqual([]);
  });

  it("refuses amounts that would not stay exact in 64-bit storage and JSON", async () => {
    const m = await marketplace(await engine.create());
    const credit = await m.platform.payments.credit(wallet(ADMIN), RENTER_1, MAX_AMOUNT + 1n, "too-big");
    expect(credit.ok || credit.error.code).toBe("VALIDATION");
    expect((await m.platform.payments.credit(wallet(ADMIN), RENTER_1, MAX_AMOUNT, "max")).ok).toBe(true);
    const withdraw = await m.platform.payments.withdraw(wallet(RENTER_1), MAX_AMOUNT + 1n);
    expect(withdraw.ok || withdraw.error.code).toBe("VALIDATION");
    expect(await m.platform.ledgerViolations()).toEqual([]);
  });
});
