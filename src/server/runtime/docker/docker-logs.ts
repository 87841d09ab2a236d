// Docker's multiplexed log stream (8-byte frame headers) turned into plain stdout+stderr bytes.
import { Transform, type TransformCallback } from "node:stream";

const HEADER_BYTES = 8;

/**
 * A container without a TTY answers logs as frames: [stream, 0, 0, 0, size(uint32 BE)] + payload.
 * This keeps the payloads in arrival order (stdout and stderr interleaved as the engine saw them).
 * Berth never creates TTY containers, but a stream that does not look framed is passed through raw
 * rather than mangled.
 */
export class DockerLogDemuxer extends Transform {
  private pending: Buffer = Buffer.alloc(0);
  private raw = false;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    if (this.raw) {
      callback(null, chunk);
      return;
    }
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    while (this.pending.length >= HEADER_BYTES) {
      const kind = this.pending[0] ?? 0;
      const framed = kind <= 2 && this.pending[1] === 0 && this.pending[2] === 0 && this.pending[3] === 0;
      if (!framed) {
        this.raw = true;
        const rest = this.pending;
        this.pending = Buffer.alloc(0);
        callback(null, rest);
        return;
      }
      const size = this.pending.readUInt32BE(4);
      if (this.pending.length < HEADER_BYTES + size) break;
      this.push(this.pending.subarray(HEADER_BYTES, HEADER_BYTES + size));
      this.pending = this.pending.subarray(HEADER_BYTES + size);
    }
    callback();
  }

  override _flush(callback: TransformCallback): void {
    // A truncated last frame (the engine went away mid-frame): keep what arrived.
    if (this.pending.length > HEADER_BYTES) this.push(this.pending.subarray(HEADER_BYTES));
    this.pending = Buffer.alloc(0);
    callback();
  }
}
