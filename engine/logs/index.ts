// The container log module: conmon k8s-file reader (tail, since/until, follow) and Docker stream framing.
export { readLogs, type ReadLogsOptions, type LogEntry, type ReadStats } from './k8s-file';
export { MAX_LINE_BYTES, LineAssembler } from './assembler';
export { parseRecordHeader, parseTimestamp, formatRecord, type LogStream, type RecordHeader, type RecordTime } from './record';
export {
  encodeFrame, FrameDecoder, decodeFrames, dockerTimestamp, formatLogLine, frameLogEntry, parseDockerTime,
  StreamType, FRAME_HEADER_BYTES, type Frame,
} from './framing';
