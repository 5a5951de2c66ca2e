/**
 * @xenblocks/core — the pure domain of the XenBlocks hashpower marketplace. See README.md for the
 * embedding guide. Everything here is deterministic given its ports: no I/O, no clock, no randomness.
 */
export * from "./accounts/accounts-service.js";
export * from "./accounts/idempotency-service.js";
export * from "./accounts/payments-service.js";
export * from "./blocks/block-service.js";
export * from "./blocks/checks.js";
export * from "./config.js";
export * from "./errors.js";
export * from "./events.js";
export * from "./fleet/fleet-service.js";
export * from "./fleet/inbound.js";
export * from "./fleet/worker-admin.js";
export * from "./ledger.js";
export * from "./market/index.js";
export * from "./metrics.js";
export * from "./money.js";
export * from "./monitoring/monitoring-service.js";
export * from "./platform.js";
export * from "./ports.js";
export * from "./protocol/index.js";
export * from "./queries/index.js";
export * from "./rental/billing.js";
export * from "./rental/end-lease.js";
export * from "./rental/matching.js";
export * from "./rental/rental-service.js";
export * from "./rental/transitions.js";
export * from "./types.js";
