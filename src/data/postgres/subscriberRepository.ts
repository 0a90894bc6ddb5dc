import type pg from 'pg';
import type { Subscriber, SubscriberRepository, UnsubscribeReason } from '../../core/ports.ts';
import { changes, row, rows, transaction } from './sql.ts';

/** Longest migration chain followed (group → supergroup is one link); the bound guards against a loop. */
const MAX_MIGRATIONS = 8;

/**
 * Digest subscribers (migration `digest`). A chat that leaves keeps its row, marked inactive with
 * the reason, so «blocked the bot» stays visible to whoever wonders why a manager got nothing.
 */
export class PgSubscriberRepository implements SubscriberRepository {
  constructor(
    private readonly pool: pg.Pool,
    private readonly now: () => Date,
  ) {}

  async subscribe(chatId: number, userId: number): Promise<boolean> {
    const written = await changes(
      this.pool,
      `INSERT INTO digest_subscriber (chat_id, user_id, active, subscribed_at) VALUES ($1, $2, 1, $3)
       ON CONFLICT (chat_id) DO UPDATE SET user_id = excluded.user_id, active = 1,
         subscribed_at = excluded.subscribed_at, unsubscribed_at = NULL, reason = NULL
       WHERE digest_subscriber.active = 0`,
      [chatId, userId, this.now().toISOString()],
    );
    return written > 0;
  }

  async unsubscribe(chatId: number, reason: UnsubscribeReason): Promise<boolean> {
    const written = await changes(
      this.pool,
      'UPDATE digest_subscriber SET active = 0, unsubscribed_at = $1, reason = $2 WHERE chat_id = $3 AND active = 1',
      [this.now().toISOString(), reason, chatId],
    );
    return written > 0;
  }

  async isSubscribed(chatId: number): Promise<boolean> {
    return (await row<{ active: number }>(this.pool, 'SELECT active FROM digest_subscriber WHERE chat_id = $1', [chatId]))?.active === 1;
  }

  active(): Promise<Subscriber[]> {
    return rows<Subscriber>(
      this.pool,
      'SELECT chat_id AS "chatId", user_id AS "userId", subscribed_at AS "subscribedAt" FROM digest_subscriber WHERE active = 1 ORDER BY chat_id',
    );
  }

  /** The old row stays, pointing at the new id, so the new id can be traced to the configured one. */
  async migrate(fromChatId: number, toChatId: number): Promise<boolean> {
    if (fromChatId === toChatId) return false;
    return transaction(this.pool, async (client) => {
      const from = await row<{ userId: number; active: number }>(
        client,
        'SELECT user_id AS "userId", active FROM digest_subscriber WHERE chat_id = $1 FOR UPDATE',
        [fromChatId],
      );
      if (!from) return false;
      const at = this.now().toISOString();
      await client.query(
        `INSERT INTO digest_subscriber (chat_id, user_id, active, subscribed_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (chat_id) DO UPDATE SET active = GREATEST(digest_subscriber.active, excluded.active)`,
        [toChatId, from.userId, from.active, at],
      );
      await client.query(
        "UPDATE digest_subscriber SET active = 0, unsubscribed_at = $1, reason = 'migrated', migrated_to = $2 WHERE chat_id = $3",
        [at, toChatId, fromChatId],
      );
      return from.active === 1;
    });
  }

  async originOf(chatId: number): Promise<number> {
    let id = chatId;
    for (let i = 0; i < MAX_MIGRATIONS; i++) {
      const from = await row<{ id: number }>(this.pool, 'SELECT chat_id AS id FROM digest_subscriber WHERE migrated_to = $1 ORDER BY chat_id LIMIT 1', [id]);
      if (!from) return id;
      id = from.id;
    }
    return id;
  }
}
