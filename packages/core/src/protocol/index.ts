/** The worker protocol (spec/worker-protocol.md): topics, wire schemas, inbound parsing, outbound builders. */
export * from "./block-hash.js";
export * from "./builders.js";
export * from "./parse.js";
export * from "./schemas.js";
export * from "./topics.js";
