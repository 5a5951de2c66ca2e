import mqttPacket from "mqtt-packet";
import { describe, expect, it } from "vitest";
import { FrameGuard } from "./frame-guard.js";

const publish = (bytes: number) =>
  mqttPacket.generate({
    cmd: "publish",
    topic: "xenminer/w/heartbeat",
    payload: Buffer.alloc(bytes, 0x61),
    qos: 1,
    messageId: 7,
    retain: false,
    dup: false,
  });

const stream = Buffer.concat([
  mqttPacket.generate({
    cmd: "connect",
    protocolId: "MQTT",
    protocolVersion: 4,
    clean: true,
    clientId: "xenminer_w",
    keepalive: 60,
  }),
  publish(10),
  publish(300), // a two-byte length
  publish(20_000), // a three-byte length
  mqttPacket.generate({ cmd: "pingreq" }),
]);

describe("FrameGuard", () => {
  it("lets a stream of packets under the limit through, however it is split", () => {
    for (let cut = 1; cut < stream.length; cut += 97) {
      const guard = new FrameGuard(64 * 1024);
      expect(guard.feed(stream.subarray(0, cut))).toBe(true);
      expect(guard.feed(stream.subarray(cut))).toBe(true);
    }
    const byteByByte = new FrameGuard(64 * 1024);
    for (const b of stream.subarray(0, 400)) expect(byteByByte.feed(Uint8Array.of(b))).toBe(true);
  });

  it("stops at the header of a packet over the limit, before its body arrives", () => {
    const big = publish(70 * 1024);
    const guard = new FrameGuard(64 * 1024);
    expect(guard.feed(stream)).toBe(true);
    // Only the fixed header (type + 3 length bytes): enough to refuse.
    expect(guard.feed(big.subarray(0, 4))).toBe(false);
  });

  it("counts the fixed header in the limit", () => {
    const exact = publish(1000);
    expect(new FrameGuard(exact.length).feed(exact)).toBe(true);
    expect(new FrameGuard(exact.length - 1).feed(exact)).toBe(false);
  });

  it("refuses a remaining length longer than MQTT's four bytes", () => {
    expect(new FrameGuard(1 << 30).feed(Uint8Array.of(0x30, 0xff, 0xff, 0xff, 0xff, 0x01))).toBe(false);
  });
});
