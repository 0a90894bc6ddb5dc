import type pg from 'pg';
import type { ChatStateRepository, StagedFile } from '../../core/ports.ts';
import { changes, query, row, rows, transaction, type Queryable } from './sql.ts';

/** Serialises staging across replicas: eviction weighs every chat's upload, so one stager at a time. */
const STAGING_LOCK = 'SELECT pg_advisory_xact_lock(hashtext($1))';

const lastTouched = async (db: Queryable, chatId: number) =>
  (await row<{ at: string | null }>(db, 'SELECT max(staged_at) AS at FROM upload_file WHERE chat_id = $1', [chatId]))?.at ?? null;

/** Chat state in PostgreSQL (migration `chat state`): each step one statement or one transaction. */
export class PgChatState implements ChatStateRepository {
  constructor(private readonly pool: pg.Pool) {}

  async setPending(chatId: number, command: string | null, until: string): Promise<void> {
    if (command === null) await query(this.pool, 'DELETE FROM chat_pending WHERE chat_id = $1', [chatId]);
    else
      await query(
        this.pool,
        'INSERT INTO chat_pending (chat_id, command, expires_at) VALUES ($1, $2, $3) ON CONFLICT (chat_id) DO UPDATE SET command = excluded.command, expires_at = excluded.expires_at',
        [chatId, command, until],
      );
  }

  async takePending(chatId: number, now: string): Promise<string | null> {
    const taken = await row<{ command: string; expires_at: string }>(this.pool, 'DELETE FROM chat_pending WHERE chat_id = $1 RETURNING command, expires_at', [chatId]);
    return taken && taken.expires_at > now ? taken.command : null;
  }

  async countHit(chatId: number, window: string): Promise<number> {
    const r = await row<{ hits: number }>(
      this.pool,
      'INSERT INTO chat_hits (chat_id, minute, hits) VALUES ($1, $2, 1) ON CONFLICT (chat_id, minute) DO UPDATE SET hits = chat_hits.hits + 1 RETURNING hits',
      [chatId, window],
    );
    return r!.hits;
  }

  async once(key: string, until: string, now: string): Promise<boolean> {
    const written = await changes(
      this.pool,
      'INSERT INTO chat_once (key, expires_at) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET expires_at = excluded.expires_at WHERE chat_once.expires_at <= $3',
      [key, until, now],
    );
    return written > 0;
  }

  stage(chatId: number, file: StagedFile, at: string, limits: { staleBefore: string; maxChats: number; maxBytes: number }): Promise<{ expired: boolean }> {
    return transaction(this.pool, async (client) => {
      await client.query(STAGING_LOCK, ['upload_file']);
      const last = await lastTouched(client, chatId);
      const expired = last !== null && last < limits.staleBefore;
      if (expired) await query(client, 'DELETE FROM upload_file WHERE chat_id = $1', [chatId]);
      await query(
        client,
        `INSERT INTO upload_file (chat_id, role, file_name, bytes, staged_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (chat_id, role) DO UPDATE SET file_name = excluded.file_name, bytes = excluded.bytes, staged_at = excluded.staged_at`,
        [chatId, file.role, file.fileName, file.bytes, at],
      );
      await query(client, 'UPDATE upload_file SET staged_at = $1 WHERE chat_id = $2', [at, chatId]);
      await query(client, 'DELETE FROM upload_file WHERE chat_id IN (SELECT chat_id FROM upload_file GROUP BY chat_id HAVING max(staged_at) < $1)', [limits.staleBefore]);
      // Least recently touched first, never the chat that is sending now.
      const rest = await rows<{ chat_id: number; bytes: number }>(
        client,
        'SELECT chat_id, sum(length(bytes))::bigint AS bytes FROM upload_file WHERE chat_id <> $1 GROUP BY chat_id ORDER BY max(staged_at)',
        [chatId],
      );
      const own = (await row<{ bytes: number }>(client, 'SELECT coalesce(sum(length(bytes)), 0)::bigint AS bytes FROM upload_file WHERE chat_id = $1', [chatId]))!.bytes;
      let chats = rest.length + 1;
      let bytes = own + rest.reduce((a, r) => a + r.bytes, 0);
      for (const r of rest) {
        if (chats <= limits.maxChats && bytes <= limits.maxBytes) break;
        await query(client, 'DELETE FROM upload_file WHERE chat_id = $1', [r.chat_id]);
        chats--;
        bytes -= r.bytes;
      }
      return { expired };
    });
  }

  async staged(chatId: number, staleBefore: string): Promise<StagedFile[]> {
    const found = await rows<{ role: string; file_name: string; bytes: Buffer; last: string }>(
      this.pool,
      'SELECT role, file_name, bytes, max(staged_at) OVER () AS last FROM upload_file WHERE chat_id = $1 ORDER BY role',
      [chatId],
    );
    if (found.length === 0 || found[0].last < staleBefore) return [];
    return found.map((r) => ({ role: r.role, fileName: r.file_name, bytes: r.bytes }));
  }

  async clearStaged(chatId: number): Promise<boolean> {
    return (await changes(this.pool, 'DELETE FROM upload_file WHERE chat_id = $1', [chatId])) > 0;
  }

  async prune(now: string): Promise<void> {
    await query(this.pool, 'DELETE FROM chat_pending WHERE expires_at <= $1', [now]);
    await query(this.pool, 'DELETE FROM chat_once WHERE expires_at <= $1', [now]);
    await query(this.pool, 'DELETE FROM chat_hits WHERE minute < $1', [now.slice(0, 16)]);
  }
}
