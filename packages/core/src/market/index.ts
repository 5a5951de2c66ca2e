export * from "./pricing.js";
export * from "./reputation.js";
export * from "./worker-page.js";
