import type Database from 'better-sqlite3';
import type { ChatStateRepository, StagedFile } from '../../core/ports.ts';
import { withoutBusyWait } from './busyWait.ts';

interface FileRow {
  role: string;
  file_name: string;
  bytes: Buffer;
}

/**
 * Chat state on the SQLite file (migration `chat state`). Each step is one statement or one
 * IMMEDIATE transaction, so processes sharing the file see each other's writes whole.
 *
 * The per-message writes (pending question, rate-limit hit, one-off notice, prune) run on the bot's
 * event loop for every update, so they never sleep in SQLite's busy handler: while another
 * connection holds the write lock (a training child saving a million scores, a worker recording a
 * digest) they fail at once with SQLITE_BUSY, and the app answers without them
 * (src/app/chatState.ts). Upload staging waits as any write does: a file must not be dropped.
 */
export class SqliteChatState implements ChatStateRepository {
  private readonly upsertPending;
  private readonly deletePending;
  private readonly takePendingTx;
  private readonly hitStmt;
  private readonly onceStmt;
  private readonly stageTx;
  private readonly selectFiles;
  private readonly lastTouched;
  private readonly deleteFiles;
  private readonly pruneTx;

  constructor(
    private readonly db: Database.Database,
    private readonly busyTimeoutMs = 5000,
  ) {
    this.upsertPending = db.prepare(
      'INSERT INTO chat_pending (chat_id, command, expires_at) VALUES (?, ?, ?) ON CONFLICT (chat_id) DO UPDATE SET command = excluded.command, expires_at = excluded.expires_at',
    );
    this.deletePending = db.prepare('DELETE FROM chat_pending WHERE chat_id = ?');
    const takePending = db.prepare<[number], { command: string; expires_at: string }>('DELETE FROM chat_pending WHERE chat_id = ? RETURNING command, expires_at');
    this.takePendingTx = db.transaction((chatId: number, now: string) => {
      const row = takePending.get(chatId);
      return row && row.expires_at > now ? row.command : null;
    });
    this.hitStmt = db
      .prepare<[number, string], number>(
        'INSERT INTO chat_hits (chat_id, minute, hits) VALUES (?, ?, 1) ON CONFLICT (chat_id, minute) DO UPDATE SET hits = hits + 1 RETURNING hits',
      )
      .pluck();
    // An expired key is taken over in place; an unexpired one leaves the statement changing nothing.
    this.onceStmt = db.prepare(
      'INSERT INTO chat_once (key, expires_at) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET expires_at = excluded.expires_at WHERE chat_once.expires_at <= ?',
    );
    this.selectFiles = db.prepare<[number], FileRow>('SELECT role, file_name, bytes FROM upload_file WHERE chat_id = ? ORDER BY role');
    this.lastTouched = db.prepare<[number], string | null>('SELECT max(staged_at) FROM upload_file WHERE chat_id = ?').pluck();
    this.deleteFiles = db.prepare('DELETE FROM upload_file WHERE chat_id = ?');
    const insertFile = db.prepare(
      'INSERT INTO upload_file (chat_id, role, file_name, bytes, staged_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (chat_id, role) DO UPDATE SET file_name = excluded.file_name, bytes = excluded.bytes, staged_at = excluded.staged_at',
    );
    const touch = db.prepare('UPDATE upload_file SET staged_at = ? WHERE chat_id = ?');
    const deleteStale = db.prepare('DELETE FROM upload_file WHERE chat_id IN (SELECT chat_id FROM upload_file GROUP BY chat_id HAVING max(staged_at) < ?)');
    const others = db.prepare<[number], { chat_id: number; bytes: number }>(
      'SELECT chat_id, sum(length(bytes)) AS bytes FROM upload_file WHERE chat_id <> ? GROUP BY chat_id ORDER BY max(staged_at)',
    );
    const ownBytes = db.prepare<[number], number>('SELECT coalesce(sum(length(bytes)), 0) FROM upload_file WHERE chat_id = ?').pluck();
    this.stageTx = db.transaction((chatId: number, file: StagedFile, at: string, limits: { staleBefore: string; maxChats: number; maxBytes: number }) => {
      const last = this.lastTouched.get(chatId);
      const expired = last !== null && last !== undefined && last < limits.staleBefore;
      if (expired) this.deleteFiles.run(chatId);
      insertFile.run(chatId, file.role, file.fileName, file.bytes, at);
      touch.run(at, chatId);
      deleteStale.run(limits.staleBefore);
      // Least recently touched first, never the chat that is sending now.
      const rest = others.all(chatId);
      let chats = rest.length + 1;
      let bytes = ownBytes.get(chatId)! + rest.reduce((a, r) => a + r.bytes, 0);
      for (const r of rest) {
        if (chats <= limits.maxChats && bytes <= limits.maxBytes) break;
        this.deleteFiles.run(r.chat_id);
        chats--;
        bytes -= r.bytes;
      }
      return { expired };
    });
    const prunePending = db.prepare('DELETE FROM chat_pending WHERE expires_at <= ?');
    const pruneOnce = db.prepare('DELETE FROM chat_once WHERE expires_at <= ?');
    // Windows are minute keys (ISO prefixes), so an older window sorts first.
    const pruneHits = db.prepare('DELETE FROM chat_hits WHERE minute < ?');
    this.pruneTx = db.transaction((now: string) => {
      prunePending.run(now);
      pruneOnce.run(now);
      pruneHits.run(now.slice(0, 16));
    });
  }

  private withoutWaiting<T>(write: () => T): T {
    return withoutBusyWait(this.db, this.busyTimeoutMs, write);
  }

  async setPending(chatId: number, command: string | null, until: string): Promise<void> {
    this.withoutWaiting(() => (command === null ? this.deletePending.run(chatId) : this.upsertPending.run(chatId, command, until)));
  }

  async takePending(chatId: number, now: string): Promise<string | null> {
    return this.withoutWaiting(() => this.takePendingTx.immediate(chatId, now));
  }

  async countHit(chatId: number, window: string): Promise<number> {
    return this.withoutWaiting(() => this.hitStmt.get(chatId, window)!);
  }

  async once(key: string, until: string, now: string): Promise<boolean> {
    return this.withoutWaiting(() => this.onceStmt.run(key, until, now).changes > 0);
  }

  async stage(chatId: number, file: StagedFile, at: string, limits: { staleBefore: string; maxChats: number; maxBytes: number }): Promise<{ expired: boolean }> {
    return this.stageTx.immediate(chatId, file, at, limits);
  }

  async staged(chatId: number, staleBefore: string): Promise<StagedFile[]> {
    const last = this.lastTouched.get(chatId);
    if (!last || last < staleBefore) return [];
    return this.selectFiles.all(chatId).map((r) => ({ role: r.role, fileName: r.file_name, bytes: r.bytes }));
  }

  async clearStaged(chatId: number): Promise<boolean> {
    return this.deleteFiles.run(chatId).changes > 0;
  }

  async prune(now: string): Promise<void> {
    this.withoutWaiting(() => this.pruneTx.immediate(now));
  }
}
