/**
 * Updates of one chat run in order; different chats run concurrently. telegraf's polling
 * fetches the next batch only after every handler of the current one has finished, so one
 * slow answer (a chart, an explanation) would otherwise hold every other chat back.
 */
export class ChatQueues {
  private readonly tails = new Map<number | string, Promise<void>>();

  push(key: number | string, task: () => Promise<void>): void {
    const tail = (this.tails.get(key) ?? Promise.resolve()).then(task, task);
    const settled = tail.catch(() => undefined);
    this.tails.set(key, settled);
    void settled.then(() => {
      if (this.tails.get(key) === settled) this.tails.delete(key);
    });
  }

  get size(): number {
    return this.tails.size;
  }

  /** Resolves once every queued update has been handled, including ones queued meanwhile. */
  async idle(): Promise<void> {
    while (this.tails.size) await Promise.allSettled([...this.tails.values()]);
  }
}
