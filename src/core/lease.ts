/**
 * Work that only one process sharing the store may do at a time (a retrain), under a named lease
 * (Leases in ports.ts). Invariants:
 *  - `fn` runs only while this owner holds the lease; it is renewed every third of `ttlMs`, so a
 *    holder that dies frees it within `ttlMs`, and a live one never loses it to expiry;
 *  - a renewal that finds the lease taken (this process stalled past `ttlMs`) aborts `lost`:
 *    exclusivity is gone, so the work must stop rather than finish alongside the new holder;
 *  - `confirm()` renews it on demand and throws LeaseTakenError when it is gone: work whose event
 *    loop is too busy to renew in time (a training) confirms right before its one decisive write;
 *  - a caller waits at most `maxWaitMs`, looking every `pollMs`, then gets LeaseBusyError having
 *    done nothing;
 *  - the lease is released however `fn` ends, unless `keep` says a parent process owns it;
 *  - a holder on this host (same host name and pid namespace) whose process is gone is taken over
 *    at once rather than at expiry: a killed `retention train`, which takes the lease for long,
 *    holds nobody up. A holder elsewhere, or one whose liveness cannot be told, waits for expiry.
 */
import { readlinkSync } from 'node:fs';
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { LeaseBusyError, LeaseTakenError } from './errors.ts';
import type { Leases, Logger } from './ports.ts';

/** The lease every retrain holds: the upload's, `retention train` and `ingest`, the first start's. */
export const RETRAIN_LEASE = 'retrain';

export interface LeaseTimings {
  /** How long a lease lasts without renewal (default 60 s). */
  ttlMs?: number;
  /** Between two tries while another process holds it (default 2 s). */
  pollMs?: number;
  /** Longest wait for it (default 40 min: longer than a training may run). */
  maxWaitMs?: number;
}

export interface HoldOptions extends LeaseTimings {
  name: string;
  owner: string;
  /** Called once, when the lease is found busy and the wait begins. */
  onWait?: () => void | Promise<void>;
  /** Ends the wait early with the signal's reason. */
  signal?: AbortSignal;
  /** Keep the lease at the end: it belongs to the parent process this work runs for. */
  keep?: boolean;
  log?: Logger;
  now?: () => number;
  /** Whether a holder's process is known to be gone (default: ownerGone). */
  gone?: (owner: string) => boolean;
}

export const RETRAIN_WAIT_MS = 40 * 60_000;

/** The pid namespace, so two containers with one host name never judge each other's pids; '' where unknown. */
function pidNamespace(): string {
  try {
    return readlinkSync('/proc/self/ns/pid').replace(/\D/g, '');
  } catch {
    return '';
  }
}

const here = () => `${hostname()}/${pidNamespace()}`;

/** A process's name in leases: host and pid namespace, pid, and a random part (a reused pid is another owner). */
export function leaseOwner(): string {
  return `${here()}:${process.pid}:${randomUUID().slice(0, 8)}`;
}

/** True only when `owner` is a process of this host and pid namespace that no longer runs. */
export function ownerGone(owner: string): boolean {
  const [place, pid] = owner.split(':');
  if (place !== here() || place.endsWith('/') || !/^\d+$/.test(pid ?? '')) return false;
  try {
    process.kill(Number(pid), 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', done);
      resolve();
    }, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** What `fn` gets while it holds the lease. */
export interface HeldLease {
  /** Aborted (with LeaseTakenError) when a renewal finds the lease taken. */
  lost: AbortSignal;
  /** Renews now; throws LeaseTakenError when another process has taken the lease. */
  confirm(): Promise<void>;
}

/** Runs `fn` holding the lease `opts.name`; see the invariants above. */
export async function withLease<T>(leases: Leases, opts: HoldOptions, fn: (held: HeldLease) => Promise<T>): Promise<T> {
  const now = opts.now ?? Date.now;
  const ttlMs = opts.ttlMs ?? 60_000;
  const pollMs = opts.pollMs ?? 2000;
  const maxWaitMs = opts.maxWaitMs ?? RETRAIN_WAIT_MS;
  const gone = opts.gone ?? ownerGone;
  const take = () => leases.acquire(opts.name, opts.owner, new Date(now() + ttlMs).toISOString(), new Date(now()).toISOString());
  const takeOrTakeOver = async () => {
    if (await take()) return true;
    const holder = await leases.holder(opts.name, new Date(now()).toISOString());
    if (holder === null || !gone(holder)) return false;
    opts.log?.warn('lease holder on this host is gone, taking the lease over', { lease: opts.name });
    return leases.acquire(opts.name, opts.owner, new Date(now() + ttlMs).toISOString(), new Date(now()).toISOString(), holder);
  };

  const start = now();
  let waiting = false;
  while (!(await takeOrTakeOver())) {
    opts.signal?.throwIfAborted();
    if (now() - start >= maxWaitMs) throw new LeaseBusyError(opts.name, now() - start);
    if (!waiting) {
      waiting = true;
      await opts.onWait?.();
    }
    await pause(Math.min(pollMs, Math.max(0, maxWaitMs - (now() - start))), opts.signal);
  }

  const lost = new AbortController();
  const taken = () => {
    if (lost.signal.aborted) return;
    opts.log?.warn('lease taken over by another process, stopping', { lease: opts.name });
    lost.abort(new LeaseTakenError(opts.name));
  };
  const confirm = async () => {
    if (await take()) return;
    taken();
    throw new LeaseTakenError(opts.name);
  };
  let renewing: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    renewing = take().then(
      (held) => held || taken(),
      // A store that does not answer for a moment: the next renewal tries again, well before expiry.
      (err: Error) => opts.log?.warn('lease renewal failed', { lease: opts.name, error: err.message }),
    );
  }, Math.max(1, Math.floor(ttlMs / 3)));
  timer.unref?.();
  try {
    return await fn({ lost: lost.signal, confirm });
  } finally {
    clearInterval(timer);
    await renewing;
    if (!opts.keep) {
      await leases.release(opts.name, opts.owner).catch((err: Error) => opts.log?.warn('lease release failed', { lease: opts.name, error: err.message }));
    }
  }
}
