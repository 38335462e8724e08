// Contract values that need no zod: enum members, wire limits, how a compose issue prints. The schema modules
// re-export them; the CLI imports them from here so `fd ps` starts without building the contract's schemas.
import type { ComposeIssue } from './compose';

/** Frames larger than this are refused before they are buffered. */
export const MAX_FRAME_BYTES = 16 * 1024 * 1024;
/** Items a consumer lets the producer run ahead by. */
export const DEFAULT_STREAM_WINDOW = 64;

export const containerStates = ['created', 'running', 'paused', 'restarting', 'exited', 'removing', 'dead'] as const;

/** Docker's rule for local volume names (also what a `-v NAME:/path` source must look like). */
export const VOLUME_NAME_PATTERN = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

export const eventTypes = ['container', 'image', 'volume', 'network', 'compose', 'engine'] as const;

/** `file:line:col path: message`, the one way a compose issue is printed. */
export function formatComposeIssue(issue: ComposeIssue): string {
  const where = issue.file ? `${issue.file}${issue.line != null ? `:${issue.line}:${issue.column ?? 1}` : ''}` : '';
  const head = [where, issue.path].filter(Boolean).join(' ');
  return head ? `${head}: ${issue.message}` : issue.message;
}
