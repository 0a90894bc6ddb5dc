/**
 * Tables of the weekly digest, applied by the `digest` migration in migrations.ts. Shipped SQL:
 * never edit it, add a new migration instead.
 */
export const DIGEST_SCHEMA = `
  CREATE TABLE digest_subscriber (
    chat_id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL,
    active INTEGER NOT NULL CHECK (active IN (0, 1)),
    subscribed_at TEXT NOT NULL,
    unsubscribed_at TEXT,
    reason TEXT CHECK (reason IN ('user', 'blocked'))
  );
  CREATE TABLE digest_run (
    period TEXT PRIMARY KEY,
    trigger TEXT NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    model_version INTEGER NOT NULL,
    dataset_version INTEGER NOT NULL,
    at_risk_count INTEGER NOT NULL,
    at_risk_ids TEXT NOT NULL,
    lease_owner TEXT,
    lease_until TEXT
  );
  CREATE TABLE digest_part (
    period TEXT NOT NULL REFERENCES digest_run(period),
    seq INTEGER NOT NULL,
    type TEXT NOT NULL CHECK (type IN ('text', 'photo', 'document')),
    text TEXT,
    content BLOB,
    file_name TEXT,
    caption TEXT,
    PRIMARY KEY (period, seq)
  );
  CREATE TABLE digest_delivery (
    period TEXT NOT NULL REFERENCES digest_run(period),
    chat_id INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'blocked', 'failed', 'skipped')),
    parts_sent INTEGER NOT NULL DEFAULT 0,
    attempts INTEGER NOT NULL DEFAULT 0,
    error TEXT,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (period, chat_id)
  ) WITHOUT ROWID;
`;

/**
 * Subscribers learn two things (migration `subscriber reasons and migrations`): access revoked
 * as a reason to stop, and the chat a group migrated to. SQLite cannot change a CHECK, so the
 * table is rebuilt.
 */
export const SUBSCRIBER_MIGRATION_SCHEMA = `
  CREATE TABLE digest_subscriber_v2 (
    chat_id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL,
    active INTEGER NOT NULL CHECK (active IN (0, 1)),
    subscribed_at TEXT NOT NULL,
    unsubscribed_at TEXT,
    reason TEXT CHECK (reason IN ('user', 'blocked', 'revoked', 'migrated')),
    migrated_to INTEGER
  );
  INSERT INTO digest_subscriber_v2 (chat_id, user_id, active, subscribed_at, unsubscribed_at, reason)
    SELECT chat_id, user_id, active, subscribed_at, unsubscribed_at, reason FROM digest_subscriber;
  DROP TABLE digest_subscriber;
  ALTER TABLE digest_subscriber_v2 RENAME TO digest_subscriber;
  CREATE INDEX subscriber_by_migrated_to ON digest_subscriber(migrated_to);
`;

/**
 * At most once per part across processes (migration 11): the part a sender is about to send, set
 * before the send and cleared with its outcome, so a run resuming a dead sender's chat knows which
 * part may or may not have reached Telegram; and how many such parts a chat may have missed.
 */
export const DELIVERY_IN_FLIGHT_SCHEMA = `
  ALTER TABLE digest_delivery ADD COLUMN part_in_flight INTEGER;
  ALTER TABLE digest_delivery ADD COLUMN parts_lost INTEGER NOT NULL DEFAULT 0;
`;
