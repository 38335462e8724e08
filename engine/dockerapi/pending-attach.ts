// Docker clients attach first and start second (`docker run`, `docker start -a`, compose); the contract does
// both in one call (containers.attach with start: true), which connects between `runc create` and
// `runc start` so no byte of output is missed. An attach to a container that is not running registers here;
// the next `POST /containers/{id}/start` for that container hands the start to it.
export interface AttachWaiter {
  /** Attaches with start on the waiting session's own link; resolves once the container runs. */
  start(): Promise<void>;
}

export class PendingAttaches {
  private readonly byId = new Map<string, AttachWaiter[]>();

  get size(): number {
    return this.byId.size;
  }

  /** Registers a waiting attach; the returned function unregisters it (idempotent). */
  add(id: string, waiter: AttachWaiter): () => void {
    const list = this.byId.get(id) ?? [];
    list.push(waiter);
    this.byId.set(id, list);
    return () => {
      const now = this.byId.get(id);
      if (!now) return;
      const i = now.indexOf(waiter);
      if (i >= 0) now.splice(i, 1);
      if (!now.length) this.byId.delete(id);
    };
  }

  /** The oldest waiting attach of this container, removed from the registry. */
  take(id: string): AttachWaiter | undefined {
    const list = this.byId.get(id);
    const waiter = list?.shift();
    if (list && !list.length) this.byId.delete(id);
    return waiter;
  }
}
