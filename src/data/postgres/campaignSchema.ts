/**
 * PostgreSQL form of the campaign step (migration 4). Shipped SQL: never edit it, add a new step
 * instead. Plans and members are immutable once written; outreach rows are replaced by a later press.
 */
export const CAMPAIGN_SCHEMA = `
  CREATE TABLE campaign_plan (
    week TEXT COLLATE "C" PRIMARY KEY,
    created_at TEXT COLLATE "C" NOT NULL,
    model_version BIGINT NOT NULL REFERENCES model(version),
    dataset_version BIGINT NOT NULL REFERENCES dataset(version),
    capacity BIGINT NOT NULL,
    control_share DOUBLE PRECISION NOT NULL,
    cooldown_days BIGINT NOT NULL,
    seed BIGINT NOT NULL,
    eligible BIGINT NOT NULL
  );
  CREATE INDEX campaign_plan_by_time ON campaign_plan(created_at);
  CREATE TABLE campaign_member (
    week TEXT COLLATE "C" NOT NULL REFERENCES campaign_plan(week),
    customer_id BIGINT NOT NULL,
    arm TEXT NOT NULL CHECK (arm IN ('treated', 'control')),
    rank BIGINT NOT NULL,
    probability DOUBLE PRECISION NOT NULL,
    profit DOUBLE PRECISION NOT NULL,
    expected_loss DOUBLE PRECISION NOT NULL,
    offer TEXT NOT NULL,
    driver TEXT,
    driver_contribution DOUBLE PRECISION,
    segments TEXT NOT NULL,
    PRIMARY KEY (week, customer_id)
  );
  CREATE TABLE campaign_outreach (
    week TEXT COLLATE "C" NOT NULL,
    customer_id BIGINT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('offered', 'no_answer', 'declined')),
    offer TEXT NOT NULL,
    user_id BIGINT NOT NULL,
    at TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (week, customer_id),
    FOREIGN KEY (week, customer_id) REFERENCES campaign_member(week, customer_id)
  );
  CREATE INDEX campaign_outreach_by_time ON campaign_outreach(at);
  CREATE TRIGGER campaign_plan_immutable BEFORE UPDATE ON campaign_plan FOR EACH ROW EXECUTE FUNCTION reject_update('campaign plans are immutable');
  CREATE TRIGGER campaign_member_immutable BEFORE UPDATE ON campaign_member FOR EACH ROW EXECUTE FUNCTION reject_update('campaign plans are immutable');
  CREATE TABLE customer_contact (
    id BIGINT PRIMARY KEY,
    name TEXT,
    phone TEXT,
    email TEXT,
    extra TEXT NOT NULL,
    source TEXT NOT NULL,
    updated_at TEXT NOT NULL
  );
`;
