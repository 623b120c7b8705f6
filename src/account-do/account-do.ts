/**
 * One Durable Object per account (named by username). Every write to the
 * account runs here, one at a time, so writes are ordered and each gets a
 * strictly increasing stamp (time and serial). Later: websocket subscribers.
 */
import { DurableObject } from "cloudflare:workers";
import { getConfig } from "../config";
import type { Env } from "../env";
import { changesCaller, runCall, type CallInput, type CallOutcome } from "../methods/dispatch";
import { CallerCaches } from "./caller-caches";
import { touchSession } from "../accesses/sessions";
import { createDb } from "../db/client";
import type { StreamTree } from "../streams/stream-tree";
import { loadStreamTree, type StreamRow } from "../streams/streams.store";
import type { AccountWriter, WriteStamp } from "./account-writer";
import { createLoginGuard } from "./login-guard";
import { WriteLock } from "./write-lock";

interface Clock {
  serial: number;
  lastMs: number;
}

const CLOCK_KEY = "clock";

export class AccountDO extends DurableObject<Env> {
  private readonly lock = new WriteLock();
  private tree: { userId: number; loading: Promise<StreamTree<StreamRow>> } | null = null;
  private readonly callers = new CallerCaches();

  /** Runs one write method call under the account's write lock. */
  async execute(input: CallInput): Promise<CallOutcome> {
    return this.lock.run(() => this.run(input));
  }

  /** Runs consecutive write calls of one batch in order, under one lock acquisition. */
  async executeAll(inputs: CallInput[]): Promise<CallOutcome[]> {
    return this.lock.run(async () => {
      const outcomes: CallOutcome[] = [];
      for (const input of inputs) outcomes.push(await this.run(input));
      return outcomes;
    });
  }

  /** Extends a personal access's login session (sliding expiry). */
  async touchSession(userId: number, accessId: string): Promise<void> {
    await this.lock.run(async () => {
      this.callers.clear();
      await touchSession(this.env, userId, accessId);
    });
  }

  private async run(input: CallInput): Promise<CallOutcome> {
    const outcome = await runCall(this.env, input, this.writer(), { callerCache: this.callers.for(input.token) });
    if (changesCaller(input.methodId)) this.callers.clear();
    return outcome;
  }

  private writer(): AccountWriter {
    const storage = this.ctx.storage.kv;
    return {
      stamp: (): WriteStamp => {
        const clock = storage.get<Clock>(CLOCK_KEY) ?? { serial: 0, lastMs: 0 };
        const next = { serial: clock.serial + 1, lastMs: Math.max(Date.now(), clock.lastMs + 1) };
        storage.put(CLOCK_KEY, next);
        return { serial: next.serial, time: next.lastMs / 1000 };
      },
      loginGuard: createLoginGuard(storage, getConfig(this.env).login),
      streamTree: (userId) => this.streamTree(userId),
      streamsChanged: () => {
        this.tree = null;
      },
    };
  }

  /** Keyed by user id: an account deleted and created again under the same name is another account. */
  private streamTree(userId: number): Promise<StreamTree<StreamRow>> {
    if (!this.tree || this.tree.userId !== userId) {
      const loading = loadStreamTree(createDb(this.env.DB), userId);
      this.tree = { userId, loading };
      loading.catch(() => {
        if (this.tree?.loading === loading) this.tree = null;
      });
    }
    return this.tree.loading;
  }
}

/** The Durable Object of `username`'s account. */
export function accountStub(env: Env, username: string): DurableObjectStub<AccountDO> {
  return env.ACCOUNT.get(env.ACCOUNT.idFromName(username));
}
