/** The live event hub (api.md §3). */
export { type ClientStream, type Delivered, LiveOverflowError, type QueueLimits } from "./client-stream.js";
export type { RetentionLimits } from "./event-log.js";
export {
  type BlockView,
  type HubEvent,
  type LeaseLiveEvent,
  LIVE_TOPICS,
  type LiveSnapshot,
  type LiveTopic,
  type MonitoringStats,
  type PublicLiveEvent,
  type SnapshotLiveEvent,
} from "./events.js";
export { LiveHub, type LiveHubOptions } from "./hub.js";
