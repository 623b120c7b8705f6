/**
 * A FIFO async mutex. A Durable Object interleaves requests whenever one awaits
 * outside I/O (D1 is outside I/O), so writes are queued here explicitly.
 */
export class WriteLock {
  private tail: Promise<unknown> = Promise.resolve();
  private count = 0;

  run<T>(task: () => Promise<T>): Promise<T> {
    this.count++;
    const result = this.tail.then(task, task);
    this.tail = result.catch(() => undefined);
    return result;
  }

  /** Tasks queued so far: a task queued as number `n` is still the last in line while this is `n`. */
  get queued(): number {
    return this.count;
  }
}
