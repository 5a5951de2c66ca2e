export * from "./admin-queries.js";
export * from "./fleet-queries.js";
export * from "./listing-index.js";
export * from "./market-queries.js";
export * from "./wallet-queries.js";
