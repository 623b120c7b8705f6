/**
 * A handler's result answered with a status of its own choosing, for methods
 * whose status depends on what they find (an access request's poll: 201, 200,
 * 403 or 301 by the request's state). `runCall` unwraps it.
 */
export class WithStatus<T = unknown> {
  constructor(
    readonly status: number,
    readonly result: T,
  ) {}
}
