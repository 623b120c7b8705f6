/** An account's stream tree in memory: lookups, descendants, ancestors (no I/O). */

export interface TreeStream {
  id: string;
  parentId: string | null;
  trashed: boolean;
}

export class StreamTree<S extends TreeStream = TreeStream> {
  private readonly byId = new Map<string, S>();
  private readonly childrenOf = new Map<string | null, S[]>();

  constructor(streams: Iterable<S>) {
    for (const stream of streams) {
      this.byId.set(stream.id, stream);
      const siblings = this.childrenOf.get(stream.parentId) ?? [];
      siblings.push(stream);
      this.childrenOf.set(stream.parentId, siblings);
    }
  }

  get(id: string): S | undefined {
    return this.byId.get(id);
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }

  all(): S[] {
    return [...this.byId.values()];
  }

  children(id: string | null): S[] {
    return this.childrenOf.get(id) ?? [];
  }

  /** `id` and everything below it (iterative: no depth limit). `withTrashed: false` skips trashed subtrees. */
  subtree(id: string, withTrashed = true): string[] {
    const root = this.byId.get(id);
    if (!root || (!withTrashed && root.trashed)) return [];
    const out: string[] = [];
    const stack = [root];
    while (stack.length) {
      const stream = stack.pop()!;
      out.push(stream.id);
      for (const child of this.children(stream.id)) if (withTrashed || !child.trashed) stack.push(child);
    }
    return out;
  }

  /** The ids above `id`, nearest first. */
  ancestors(id: string): string[] {
    const out: string[] = [];
    const seen = new Set<string>([id]);
    let parent = this.byId.get(id)?.parentId ?? null;
    while (parent !== null && !seen.has(parent)) {
      out.push(parent);
      seen.add(parent);
      parent = this.byId.get(parent)?.parentId ?? null;
    }
    return out;
  }

  /** True when `candidate` is `id` itself or one of its descendants. */
  isWithin(candidate: string, id: string): boolean {
    return candidate === id || this.ancestors(candidate).includes(id);
  }

  /** Streams filed under: each of `ids` and all their ancestors. */
  coverage(ids: readonly string[]): Set<string> {
    const out = new Set<string>();
    for (const id of ids) {
      out.add(id);
      for (const ancestor of this.ancestors(id)) out.add(ancestor);
    }
    return out;
  }
}
