// The container log module: conmon k8s-file reader (tail, since/until, follow) and Docker stream framing.
//
// readLogs(path, { tail, since, until, follow, isRunning, signal }) yields whole lines:
// - P pieces are joined per stream; an entry's time is its first piece's; `data` holds the exact bytes.
// - `partial: true` = no newline follows: a stream's unfinished last piece when the log ends, or a slice of
//   a line longer than MAX_LINE_BYTES (1 MiB). Writers should append '\n' only when !partial.
// - follow ends when isRunning() was false before a full drain (use "exit file exists": conmon writes it
//   after flushing the log), when `until` passes, or quietly on abort (fd and watcher closed at once).
// - conmon's --log-size-max discards the replaced file; a follower more than one rotation behind loses
//   the files in between (as with podman), so keep --log-size-max large.
export { readLogs, type ReadLogsOptions, type LogEntry, type ReadStats } from './k8s-file';
export { MAX_LINE_BYTES, LineAssembler } from './assembler';
export { parseRecordHeader, parseTimestamp, formatRecord, type LogStream, type RecordHeader, type RecordTime } from './record';
export {
  encodeFrame, FrameDecoder, decodeFrames, dockerTimestamp, formatLogLine, frameLogEntry, parseDockerTime,
  StreamType, FRAME_HEADER_BYTES, type Frame,
} from './framing';
