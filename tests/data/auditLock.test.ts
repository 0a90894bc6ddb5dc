/**
 * The audit log and the chat state are written on every request by the bot's event loop: while
 * another connection (a training child, a worker) holds SQLite's write lock, an audit entry waits
 * in memory, and a chat-state write fails at once, instead of the thread sleeping in the busy
 * handler; the audit entries are written, in order, once the lock is free.
 */
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { bestEffortChatState } from '../../src/app/chatState.ts';
import { openStore } from '../../src/data/index.ts';
import { createLogger } from '../../src/logger.ts';
import { cleanupTmp, tmpDir } from './helpers.ts';

afterAll(cleanupTmp);

describe('audit log under a held write lock', () => {
  it('returns at once, keeps the entries, and writes them in order when the lock is released', async () => {
    const file = path.join(tmpDir(), 'audit.db');
    // A long busy timeout: had record() waited in the busy handler, it would throw SQLITE_BUSY here,
    // because the lock holder below cannot let go while this thread sleeps.
    const store = openStore(file, { busyTimeoutMs: 60_000 });
    const other = new Database(file);
    other.pragma('busy_timeout = 0');
    const count = () => other.prepare('SELECT count(*) FROM audit_log').pluck().get();
    try {
      other.exec('BEGIN IMMEDIATE');
      await store.audit.record({ userId: 1, chatId: 1, action: '/risk 1' });
      await store.audit.record({ userId: 2, chatId: 2, action: '/segment cart' });
      expect((store.audit as unknown as { queued: number }).queued).toBe(2);
      expect((await store.audit.recent(5)).map((e) => e.action)).toEqual(['/segment cart', '/risk 1']);
      other.exec('COMMIT');
      expect(count()).toBe(0);
      // The retry timer writes them; nothing else is needed.
      for (let i = 0; i < 100 && count() === 0; i++) await new Promise((r) => setTimeout(r, 20));
      expect(other.prepare('SELECT action FROM audit_log ORDER BY id').pluck().all()).toEqual(['/risk 1', '/segment cart']);
      // And the busy timeout is the configured one again for every other statement.
      expect(store.db.pragma('busy_timeout', { simple: true })).toBe(60_000);
    } finally {
      other.close();
      await store.close();
    }
  });

  it('writes the entries of one turn of the event loop together, right after it', async () => {
    const file = path.join(tmpDir(), 'audit3.db');
    const store = openStore(file);
    const other = new Database(file);
    const switches = vi.spyOn(store.db, 'pragma');
    try {
      await Promise.all([1, 2, 3].map((id) => store.audit.record({ userId: id, chatId: id, action: `/risk ${id}` })));
      expect(other.prepare('SELECT count(*) FROM audit_log').pluck().get()).toBe(0);
      await new Promise((r) => setImmediate(r));
      expect(other.prepare('SELECT action FROM audit_log ORDER BY id').pluck().all()).toEqual(['/risk 1', '/risk 2', '/risk 3']);
      // One write: the busy timeout switched off and back once, not three times.
      expect(switches.mock.calls.map((c) => c[0])).toEqual(['busy_timeout = 0', expect.stringMatching(/^busy_timeout = \d+$/)]);
    } finally {
      other.close();
      await store.close();
    }
  });

  it('close() writes what is still queued', async () => {
    const file = path.join(tmpDir(), 'audit2.db');
    const store = openStore(file);
    const other = new Database(file);
    other.exec('BEGIN IMMEDIATE');
    await store.audit.record({ userId: 3, chatId: 3, action: '/top_features' });
    other.exec('COMMIT');
    await store.close();
    expect(other.prepare('SELECT action FROM audit_log').pluck().all()).toEqual(['/top_features']);
    other.close();
  });
});

describe('chat state under a held write lock', () => {
  it('per-message writes fail at once instead of holding the event loop, the app answers without them, and work again after', async () => {
    const file = path.join(tmpDir(), 'chat.db');
    // Had a write waited in the busy handler, this thread would sleep for a minute: the test's timeout catches it.
    const store = openStore(file, { busyTimeoutMs: 60_000 });
    const other = new Database(file);
    const lenient = bestEffortChatState(store.chatState, createLogger(() => undefined));
    try {
      other.exec('BEGIN IMMEDIATE');
      await expect(store.chatState.countHit(7, '2026-12-01T10:00')).rejects.toMatchObject({ code: 'SQLITE_BUSY' });
      await expect(store.chatState.setPending(7, 'risk', '2026-12-01T11:00:00.000Z')).rejects.toMatchObject({ code: 'SQLITE_BUSY' });
      await expect(store.chatState.takePending(7, '2026-12-01T10:00:00.000Z')).rejects.toMatchObject({ code: 'SQLITE_BUSY' });
      await expect(store.chatState.once('notice:7', '2026-12-02T00:00:00.000Z', '2026-12-01T10:00:00.000Z')).rejects.toMatchObject({ code: 'SQLITE_BUSY' });
      // What the bot sees: the request let through uncounted, the notice given.
      expect(await lenient.countHit(7, '2026-12-01T10:00')).toBe(0);
      expect(await lenient.once('notice:7', '2026-12-02T00:00:00.000Z', '2026-12-01T10:00:00.000Z')).toBe(true);
      expect(store.db.pragma('busy_timeout', { simple: true })).toBe(60_000);
      other.exec('COMMIT');
      expect(await store.chatState.countHit(7, '2026-12-01T10:00')).toBe(1);
      await store.chatState.setPending(7, 'risk', '2026-12-01T11:00:00.000Z');
      expect(await store.chatState.takePending(7, '2026-12-01T10:00:00.000Z')).toBe('risk');
    } finally {
      other.close();
      await store.close();
    }
  });
});
