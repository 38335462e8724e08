// Progress of a compose operation as a stream: work running in parallel pushes items, the stream hands them
// out in order as the consumer pulls (the contract grants credit per item), and the work's error ends it.
import type { ComposeProgress, ComposeStep } from '../api/compose';

export class Progress {
  private readonly items: ComposeProgress[] = [];
  private wake: (() => void) | null = null;
  private closed = false;

  push(item: ComposeProgress) {
    this.items.push(item);
    this.wake?.();
  }

  step(kind: ComposeStep['kind'], resource: string, service: string | null, status: ComposeStep['status'], message: string) {
    this.push({ type: 'step', kind, resource, service, status, message });
  }

  warn(message: string) {
    this.push({ type: 'warning', message });
  }

  /** Runs `work`, yielding every item it pushes; rethrows its error after the last item. */
  async *run(work: () => Promise<void>): AsyncGenerator<ComposeProgress> {
    let failure: { err: unknown } | null = null;
    void work()
      .catch((err: unknown) => (failure = { err }))
      .finally(() => {
        this.closed = true;
        this.wake?.();
      });
    for (;;) {
      while (this.items.length) yield this.items.shift()!;
      if (this.closed) break;
      await new Promise<void>((resolve) => (this.wake = resolve));
      this.wake = null;
    }
    if (failure) throw (failure as { err: unknown }).err;
  }
}
