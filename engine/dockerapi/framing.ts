// Docker's multiplexed stream framing (notes §2.6), used when the container has no TTY: an 8-byte header
// [stream, 0, 0, 0, size uint32 BE] then the payload. Streams: 0 stdin, 1 stdout, 2 stderr, 3 system error
// (the Go client turns 3 into "error from daemon in stream: ...").
export type StreamId = 0 | 1 | 2 | 3;

export const STDOUT: StreamId = 1;
export const STDERR: StreamId = 2;
export const SYSTEM_ERROR: StreamId = 3;

export function muxFrame(stream: StreamId, payload: Buffer | string): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
  const frame = Buffer.allocUnsafe(8 + body.length);
  frame.writeUInt32BE(0, 0);
  frame[0] = stream;
  frame.writeUInt32BE(body.length, 4);
  body.copy(frame, 8);
  return frame;
}
