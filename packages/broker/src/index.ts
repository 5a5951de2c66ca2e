/**
 * @xenblocks/broker — MQTT for the XenBlocks platform: the embedded aedes broker or an external broker,
 * the access rules of worker-protocol §2, the inbound pipeline and core's `WorkerChannel` over MQTT.
 */
export * from "./access-rules.js";
export * from "./embedded-broker.js";
export * from "./external-broker.js";
export * from "./frame-guard.js";
export * from "./inbound-pipeline.js";
export * from "./inbox.js";
export * from "./logger.js";
export * from "./transport.js";
export * from "./worker-channel.js";
