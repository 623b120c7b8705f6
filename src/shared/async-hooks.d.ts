// The one Node API the Worker uses (compatibility flag `nodejs_als`, for src/shared/trace.ts); no @types/node for it.
declare module "node:async_hooks" {
  export class AsyncLocalStorage<T> {
    run<R>(store: T, fn: () => R): R;
    getStore(): T | undefined;
  }
}
