// A progress stream over background work: pull and load run their work and yield what it emits as it goes.

/**
 * Runs `work`, yielding what it emits as it goes; `coalesce` may replace the last queued item (a slow reader
 * sees the latest byte count, not every step). Ends with the work's own error, if any. A consumer that stops
 * early waits for the work to settle (it is expected to stop on its abort signal), so nothing of it runs on
 * after the stream is gone.
 */
export async function* emitting<T>(work: (emit: (item: T) => void) => Promise<void>, coalesce: (last: T, next: T) => boolean): AsyncGenerator<T> {
  const queue: T[] = [];
  let wake: (() => void) | null = null;
  let finished = false;
  let failure: unknown = null;
  const emit = (item: T) => {
    const last = queue[queue.length - 1];
    if (last !== undefined && coalesce(last, item)) queue.pop();
    queue.push(item);
    wake?.();
  };
  const running = work(emit).then(
    () => (finished = true),
    (err: unknown) => {
      failure = err;
      finished = true;
    },
  );
  void running.finally(() => wake?.());
  try {
    for (;;) {
      if (queue.length) {
        yield queue.shift()!;
        continue;
      }
      if (finished) break;
      await new Promise<void>((r) => (wake = r));
      wake = null;
    }
  } finally {
    await running;
  }
  if (failure) throw failure;
}
