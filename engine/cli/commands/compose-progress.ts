// Compose progress on the terminal: one line per resource, redrawn in place on a TTY (like docker compose),
// plain lines in order otherwise (logs, pipes, CI).
import type { ComposeProgress, ComposeStep } from '../../api/compose';

const KIND: Record<ComposeStep['kind'], string> = { network: 'Network', volume: 'Volume', image: 'Image', container: 'Container' };
const MARK: Record<ComposeStep['status'], string> = { waiting: '…', working: '⠿', done: '✔', error: '✘' };

export function formatStep(step: ComposeStep, tty: boolean): string {
  const head = `${KIND[step.kind]} ${step.resource}`;
  return tty ? ` ${MARK[step.status]} ${head.padEnd(40)} ${step.message}` : `${head}  ${step.message}`;
}

export class ProgressView {
  private readonly lines = new Map<string, string>();
  private drawn = 0;

  constructor(
    private readonly out: NodeJS.WritableStream,
    private readonly err: NodeJS.WritableStream,
    private readonly tty: boolean,
  ) {}

  show(item: ComposeProgress) {
    if (item.type === 'warning') {
      this.err.write(`WARN: ${item.message}\n`);
      return;
    }
    if (item.type !== 'step') return;
    if (!this.tty) {
      this.out.write(`${formatStep(item, false)}\n`);
      return;
    }
    this.lines.set(`${item.kind}:${item.resource}`, formatStep(item, true));
    // Move up over what was drawn, clear to the end of the screen, redraw every line.
    const up = this.drawn ? `\x1b[${this.drawn}A` : '';
    this.out.write(`${up}\r\x1b[J${[...this.lines.values()].join('\n')}\n`);
    this.drawn = this.lines.size;
  }
}
