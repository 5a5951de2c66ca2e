/**
 * Watches the raw MQTT byte stream of one connection and reports the first packet whose declared
 * size exceeds the limit, from its fixed header alone. The parser would otherwise buffer up to
 * 256 MiB before it could see the packet, so the connection is cut as soon as the header arrives.
 */
export class FrameGuard {
  /** Bytes of the current packet's body still to skip. */
  private remaining = 0;
  /** 0: expecting a packet type byte; 1..4: reading the remaining-length varint. */
  private lengthBytes = 0;
  private length = 0;
  private multiplier = 1;

  constructor(private readonly maxPacketBytes: number) {}

  /** Feeds the next chunk; false once a packet over the limit (or a malformed length) is declared. */
  feed(chunk: Uint8Array): boolean {
    let i = 0;
    while (i < chunk.length) {
      if (this.remaining > 0) {
        const skip = Math.min(this.remaining, chunk.length - i);
        this.remaining -= skip;
        i += skip;
        continue;
      }
      const byte = chunk[i++] as number;
      if (this.lengthBytes === 0) {
        // The packet type byte; the remaining length follows.
        this.lengthBytes = 1;
        this.length = 0;
        this.multiplier = 1;
        continue;
      }
      this.length += (byte & 0x7f) * this.multiplier;
      this.multiplier *= 128;
      if (byte & 0x80) {
        // MQTT allows at most 4 length bytes.
        if (this.lengthBytes++ >= 4) return false;
        continue;
      }
      // Fixed header (1 type byte + the length bytes) plus the body.
      if (1 + this.lengthBytes + this.length > this.maxPacketBytes) return false;
      this.remaining = this.length;
      this.lengthBytes = 0;
    }
    return true;
  }
}
