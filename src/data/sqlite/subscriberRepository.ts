import type Database from 'better-sqlite3';
import type { Subscriber, SubscriberRepository, UnsubscribeReason } from '../../core/ports.ts';

interface SubscriberRow {
  chat_id: number;
  user_id: number;
  subscribed_at: string;
}

/**
 * Digest subscribers (migration `digest`). A chat that leaves keeps its row, marked inactive with
 * the reason, so «blocked the bot» stays visible to whoever wonders why a manager got nothing.
 */
export class SqliteSubscriberRepository implements SubscriberRepository {
  private readonly upsert;
  private readonly deactivate;
  private readonly selectActive;
  private readonly selectOne;
  private readonly moveTo;
  private readonly selectOrigin;
  private readonly migrateTx;

  constructor(
    db: Database.Database,
    private readonly now: () => Date,
  ) {
    this.upsert = db.prepare(
      `INSERT INTO digest_subscriber (chat_id, user_id, active, subscribed_at) VALUES (?, ?, 1, ?)
       ON CONFLICT (chat_id) DO UPDATE SET user_id = excluded.user_id, active = 1,
         subscribed_at = excluded.subscribed_at, unsubscribed_at = NULL, reason = NULL
       WHERE active = 0`,
    );
    this.deactivate = db.prepare(
      'UPDATE digest_subscriber SET active = 0, unsubscribed_at = ?, reason = ? WHERE chat_id = ? AND active = 1',
    );
    this.selectActive = db.prepare<[], SubscriberRow>(
      'SELECT chat_id, user_id, subscribed_at FROM digest_subscriber WHERE active = 1 ORDER BY chat_id',
    );
    this.selectOne = db.prepare<[number], number>('SELECT active FROM digest_subscriber WHERE chat_id = ?').pluck();
    this.moveTo = db.prepare(
      "UPDATE digest_subscriber SET active = 0, unsubscribed_at = ?, reason = 'migrated', migrated_to = ? WHERE chat_id = ?",
    );
    this.selectOrigin = db.prepare<[number], number>('SELECT chat_id FROM digest_subscriber WHERE migrated_to = ?').pluck();
    const selectRow = db.prepare<[number], SubscriberRow & { active: number }>(
      'SELECT chat_id, user_id, subscribed_at, active FROM digest_subscriber WHERE chat_id = ?',
    );
    const insertMigrated = db.prepare(
      `INSERT INTO digest_subscriber (chat_id, user_id, active, subscribed_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (chat_id) DO UPDATE SET active = MAX(active, excluded.active)`,
    );
    this.migrateTx = db.transaction((from: number, to: number): boolean => {
      const row = selectRow.get(from);
      if (!row) return false;
      // The row stays, pointing at the new id, so the new id can be traced to the configured one.
      insertMigrated.run(to, row.user_id, row.active, this.now().toISOString());
      this.moveTo.run(this.now().toISOString(), to, from);
      return row.active === 1;
    });
  }

  async migrate(fromChatId: number, toChatId: number): Promise<boolean> {
    if (fromChatId === toChatId) return false;
    return this.migrateTx.immediate(fromChatId, toChatId);
  }

  async originOf(chatId: number): Promise<number> {
    let id = chatId;
    // A chain is at most a few links (group → supergroup); the bound guards against a loop.
    for (let i = 0; i < 8; i++) {
      const from = this.selectOrigin.get(id);
      if (from === undefined) return id;
      id = from;
    }
    return id;
  }

  async subscribe(chatId: number, userId: number): Promise<boolean> {
    return this.upsert.run(chatId, userId, this.now().toISOString()).changes > 0;
  }

  async unsubscribe(chatId: number, reason: UnsubscribeReason): Promise<boolean> {
    return this.deactivate.run(this.now().toISOString(), reason, chatId).changes > 0;
  }

  async isSubscribed(chatId: number): Promise<boolean> {
    return this.selectOne.get(chatId) === 1;
  }

  async active(): Promise<Subscriber[]> {
    return this.selectActive.all().map((r) => ({ chatId: r.chat_id, userId: r.user_id, subscribedAt: r.subscribed_at }));
  }
}
