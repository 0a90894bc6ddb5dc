/**
 * The retrain lease (src/core/lease.ts) for the work that trains or stores a data set on this
 * process's own event loop: `retention train` and `ingest`, and the first start's demo training.
 * That work computes synchronously for long stretches, so it cannot renew a lease every few
 * seconds: it takes the lease for as long as a training may last, and a process killed meanwhile
 * holds up the others' retrains (they wait) for at most that long.
 *
 * The bot's upload trains in a child process and renews its own lease meanwhile; the child is
 * told the owner (`retention train --lease-owner`) and works under that lease rather than waiting
 * for it.
 */
import { leaseOwner, RETRAIN_LEASE, withLease } from '../core/lease.ts';
import type { App } from './types.ts';

/** As long as the bot lets a training child run (src/jobs/trainers.ts). */
export const IN_PROCESS_LEASE_MS = 30 * 60_000;

export interface RetrainLeaseOptions {
  /** The owner of a lease already held for this work (the parent bot's): joined, never released here. */
  joined?: string;
  /** Once, when another process holds the lease and the wait begins. */
  onWait?: () => void;
  /** Longest wait (default: the core's). */
  maxWaitMs?: number;
}

/**
 * Runs `fn` holding the retrain lease. `fn` gets `confirm`, to await right before its decisive write
 * (TrainOptions.beforeSave): a process that lost the lease while it computed — the bot that started
 * it killed, its lease expired and taken by another retrain — then stores nothing.
 */
export function withRetrainLease<T>(app: Pick<App, 'store' | 'log'>, fn: (confirm: () => Promise<void>) => Promise<T>, opts: RetrainLeaseOptions = {}): Promise<T> {
  const lease = opts.joined
    ? { name: RETRAIN_LEASE, owner: opts.joined, keep: true }
    : { name: RETRAIN_LEASE, owner: leaseOwner(), ttlMs: IN_PROCESS_LEASE_MS };
  return withLease(app.store.leases, { ...lease, onWait: opts.onWait, maxWaitMs: opts.maxWaitMs, log: app.log }, (held) => fn(held.confirm));
}
