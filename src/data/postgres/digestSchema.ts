/** PostgreSQL forms of the digest steps (migrations 3 and 5). Shipped SQL: never edit it, add a new step instead. */
export const DIGEST_SCHEMA = `
  CREATE TABLE digest_subscriber (
    chat_id BIGINT PRIMARY KEY,
    user_id BIGINT NOT NULL,
    active SMALLINT NOT NULL CHECK (active IN (0, 1)),
    subscribed_at TEXT NOT NULL,
    unsubscribed_at TEXT,
    reason TEXT CONSTRAINT digest_subscriber_reason CHECK (reason IN ('user', 'blocked'))
  );
  CREATE TABLE digest_run (
    period TEXT COLLATE "C" PRIMARY KEY,
    trigger TEXT NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    model_version BIGINT NOT NULL,
    dataset_version BIGINT NOT NULL,
    at_risk_count BIGINT NOT NULL,
    at_risk_ids TEXT NOT NULL,
    lease_owner TEXT,
    lease_until TEXT COLLATE "C"
  );
  CREATE TABLE digest_part (
    period TEXT COLLATE "C" NOT NULL REFERENCES digest_run(period),
    seq INTEGER NOT NULL,
    type TEXT NOT NULL CHECK (type IN ('text', 'photo', 'document')),
    text TEXT,
    content BYTEA,
    file_name TEXT,
    caption TEXT,
    PRIMARY KEY (period, seq)
  );
  CREATE TABLE digest_delivery (
    period TEXT COLLATE "C" NOT NULL REFERENCES digest_run(period),
    chat_id BIGINT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'blocked', 'failed', 'skipped')),
    parts_sent INTEGER NOT NULL DEFAULT 0,
    attempts INTEGER NOT NULL DEFAULT 0,
    error TEXT,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (period, chat_id)
  );
`;

/** Access revoked as a reason to stop, and the chat a group migrated to. PostgreSQL alters in place what SQLite rebuilds. */
export const SUBSCRIBER_MIGRATION_SCHEMA = `
  ALTER TABLE digest_subscriber
    DROP CONSTRAINT digest_subscriber_reason,
    ADD CONSTRAINT digest_subscriber_reason CHECK (reason IN ('user', 'blocked', 'revoked', 'migrated')),
    ADD COLUMN migrated_to BIGINT;
  CREATE INDEX subscriber_by_migrated_to ON digest_subscriber(migrated_to);
`;

/** The part being sent and the parts possibly lost per delivery (migration 11), as SQLite's step. */
export const DELIVERY_IN_FLIGHT_SCHEMA = `
  ALTER TABLE digest_delivery
    ADD COLUMN part_in_flight INTEGER,
    ADD COLUMN parts_lost INTEGER NOT NULL DEFAULT 0;
`;
