/**
 * A FIFO async mutex. A Durable Object interleaves requests whenever one awaits
 * outside I/O (D1 is outside I/O), so writes are queued here explicitly.
 */
export class WriteLock {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task, task);
    this.tail = result.catch(() => undefined);
    return result;
  }
}
