import type Database from 'better-sqlite3';
import type { Subscriber, SubscriberRepository } from '../../core/ports.ts';

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
  }

  subscribe(chatId: number, userId: number): boolean {
    return this.upsert.run(chatId, userId, this.now().toISOString()).changes > 0;
  }

  unsubscribe(chatId: number, reason: 'user' | 'blocked'): boolean {
    return this.deactivate.run(this.now().toISOString(), reason, chatId).changes > 0;
  }

  isSubscribed(chatId: number): boolean {
    return this.selectOne.get(chatId) === 1;
  }

  active(): Subscriber[] {
    return this.selectActive.all().map((r) => ({ chatId: r.chat_id, userId: r.user_id, subscribedAt: r.subscribed_at }));
  }
}
