/**
 * Tables of the retention campaign, applied by the `campaign` migration in migrations.ts. Shipped SQL:
 * never edit it, add a new migration instead.
 *
 * Plans and members are immutable once written (a week's plan is its experiment design); outreach
 * rows are replaced by a later press, the audit log keeps every press. Contacts are keyed by
 * customer id alone, so they outlive data set versions.
 */
export const CAMPAIGN_SCHEMA = `
  CREATE TABLE campaign_plan (
    week TEXT PRIMARY KEY,
    created_at TEXT NOT NULL,
    model_version INTEGER NOT NULL REFERENCES model(version),
    dataset_version INTEGER NOT NULL REFERENCES dataset(version),
    capacity INTEGER NOT NULL,
    control_share REAL NOT NULL,
    cooldown_days INTEGER NOT NULL,
    seed INTEGER NOT NULL,
    eligible INTEGER NOT NULL
  );
  CREATE INDEX campaign_plan_by_time ON campaign_plan(created_at);
  CREATE TABLE campaign_member (
    week TEXT NOT NULL REFERENCES campaign_plan(week),
    customer_id INTEGER NOT NULL,
    arm TEXT NOT NULL CHECK (arm IN ('treated', 'control')),
    rank INTEGER NOT NULL,
    probability REAL NOT NULL,
    profit REAL NOT NULL,
    expected_loss REAL NOT NULL,
    offer TEXT NOT NULL,
    driver TEXT,
    driver_contribution REAL,
    segments TEXT NOT NULL,
    PRIMARY KEY (week, customer_id)
  ) WITHOUT ROWID;
  CREATE TABLE campaign_outreach (
    week TEXT NOT NULL,
    customer_id INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('offered', 'no_answer', 'declined')),
    offer TEXT NOT NULL,
    user_id INTEGER NOT NULL,
    at TEXT NOT NULL,
    PRIMARY KEY (week, customer_id),
    FOREIGN KEY (week, customer_id) REFERENCES campaign_member(week, customer_id)
  ) WITHOUT ROWID;
  CREATE INDEX campaign_outreach_by_time ON campaign_outreach(at);
  CREATE TRIGGER campaign_plan_immutable BEFORE UPDATE ON campaign_plan BEGIN SELECT RAISE(ABORT, 'campaign plans are immutable'); END;
  CREATE TRIGGER campaign_member_immutable BEFORE UPDATE ON campaign_member BEGIN SELECT RAISE(ABORT, 'campaign plans are immutable'); END;
  CREATE TABLE customer_contact (
    id INTEGER PRIMARY KEY,
    name TEXT,
    phone TEXT,
    email TEXT,
    extra TEXT NOT NULL,
    source TEXT NOT NULL,
    updated_at TEXT NOT NULL
  );
`;
