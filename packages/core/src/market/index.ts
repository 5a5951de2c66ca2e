export * from "./pricing.js";
export * from "./reputation.js";
