// Compose problems as values: each names the file, line, column and key path, so the CLI, the UI and the
// tests print the same `compose.yaml:12:7 services.web.ports[1]: invalid port "80:80:80"`.
import { EngineError } from '../api/errors';
import { formatComposeIssue, type ComposeIssue } from '../api/compose';

export type { ComposeIssue };
export type PathPart = string | number;
export type KeyPath = readonly PathPart[];

/** `services.web.ports[1]` */
export function formatPath(path: KeyPath): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${part}` : part;
  }
  return out;
}

export class ComposeError extends EngineError {
  readonly issues: ComposeIssue[];
  constructor(issues: ComposeIssue[]) {
    super('invalid', issues.map(formatComposeIssue).join('\n'));
    this.name = 'ComposeError';
    this.issues = issues;
  }
}

/** Where a key path of the merged project came from: filled in by the loader, used by every later check. */
export interface Locator {
  locate(path: KeyPath): { file: string | null; line: number | null; column: number | null };
}

export const nowhere: Locator = { locate: () => ({ file: null, line: null, column: null }) };

/** Collects issues so one run reports every problem, not just the first. */
export class IssueList {
  readonly issues: ComposeIssue[] = [];
  constructor(private locator: Locator = nowhere) {}

  setLocator(locator: Locator) {
    this.locator = locator;
  }

  add(path: KeyPath, message: string) {
    this.issues.push({ ...this.locator.locate(path), path: formatPath(path), message });
  }

  addAt(issue: ComposeIssue) {
    this.issues.push(issue);
  }

  get length() {
    return this.issues.length;
  }

  /** Throws a ComposeError when any issue was collected. */
  throwIfAny() {
    if (this.issues.length) throw new ComposeError(this.issues);
  }
}
