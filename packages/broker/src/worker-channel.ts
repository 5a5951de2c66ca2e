/**
 * The `WorkerChannel` port of core over MQTT: `register_ack`, `assign_task` and `release` on
 * `xenminer/<id>/task`, control on `xenminer/<id>/control`; QoS 1, never retained (a retained command
 * would replay on every reconnect), and nothing to a worker that is not connected. A refusal throws,
 * which core counts (`worker_send_failed_total`) and treats as "not sent".
 */
import { type ChannelMessage, type Counters, formatTopic, type WorkerChannel } from "@xenblocks/core";
import { WorkerOfflineError, type WorkerTransport } from "./transport.js";

export function mqttWorkerChannel(transport: WorkerTransport, counters: Counters): WorkerChannel {
  return {
    async send(workerId: string, message: ChannelMessage): Promise<void> {
      if (!transport.isConnected(workerId)) {
        counters.inc("mqtt_outbound_refused_total", "offline");
        throw new WorkerOfflineError(workerId);
      }
      const topic = formatTopic(workerId, message.topic);
      await transport.publish(topic, Buffer.from(JSON.stringify(message.payload)));
      counters.inc("mqtt_outbound_total", message.topic);
    },
  };
}
