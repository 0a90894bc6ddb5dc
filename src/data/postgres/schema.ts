/**
 * PostgreSQL forms of the schema steps in ../migrations.ts that have no file of their own. Shipped
 * SQL: never edit it, add a new step instead.
 *
 * Column types follow the SQLite tables one for one: INTEGER → BIGINT (SQLite's are 64-bit; small
 * codes get INTEGER or SMALLINT), REAL → DOUBLE PRECISION (the same IEEE doubles, so values
 * round-trip exactly), BLOB → BYTEA, and JSON stays TEXT (read back byte for byte; a corrupted value
 * is reported, not refused at write). Times, weeks and periods are ISO text compared with COLLATE
 * "C", i.e. byte order like SQLite's BINARY, whatever the database's locale.
 */

/**
 * Data set versions, customers, models, scores, the active pointer (migration 1). Versions come from
 * `version_counter`, updated in the creating transaction: like SQLite's AUTOINCREMENT, a rolled-back
 * create burns no number and a deleted version's number is never reused (a sequence would burn one).
 */
export const DATASET_MODEL_SCHEMA = `
  CREATE FUNCTION reject_update() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    RAISE EXCEPTION '%', TG_ARGV[0] USING ERRCODE = 'restrict_violation';
  END $$;
  CREATE TABLE version_counter (
    name TEXT PRIMARY KEY,
    last BIGINT NOT NULL
  );
  INSERT INTO version_counter (name, last) VALUES ('dataset', 0), ('model', 0);
  CREATE TABLE dataset (
    version BIGINT PRIMARY KEY,
    created_at TEXT COLLATE "C" NOT NULL,
    source TEXT NOT NULL,
    customers_in BIGINT NOT NULL,
    customers_kept BIGINT NOT NULL,
    positives BIGINT NOT NULL,
    rows_in TEXT NOT NULL
  );
  CREATE TABLE customer (
    version BIGINT NOT NULL REFERENCES dataset(version),
    id BIGINT NOT NULL,
    label SMALLINT CHECK (label IN (0, 1)),
    service_type TEXT NOT NULL,
    allow_notify SMALLINT NOT NULL CHECK (allow_notify IN (0, 1)),
    market_active_6m DOUBLE PRECISION NOT NULL,
    market_active_current DOUBLE PRECISION NOT NULL,
    tenure_days DOUBLE PRECISION NOT NULL,
    promo_share DOUBLE PRECISION NOT NULL,
    popular_category TEXT NOT NULL,
    categories_per_visit DOUBLE PRECISION NOT NULL,
    unpaid_items DOUBLE PRECISION NOT NULL,
    service_errors DOUBLE PRECISION NOT NULL,
    pages_per_visit DOUBLE PRECISION NOT NULL,
    revenue_pre_prev DOUBLE PRECISION NOT NULL,
    revenue_prev DOUBLE PRECISION NOT NULL,
    revenue_current DOUBLE PRECISION NOT NULL,
    minutes_prev DOUBLE PRECISION NOT NULL,
    minutes_current DOUBLE PRECISION NOT NULL,
    profit DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (version, id)
  );
  CREATE TABLE dropped_customer (
    version BIGINT NOT NULL REFERENCES dataset(version),
    id BIGINT NOT NULL,
    reason TEXT NOT NULL CHECK (reason IN ('zero_revenue', 'revenue_outlier')),
    PRIMARY KEY (version, id)
  );
  CREATE TABLE model (
    version BIGINT PRIMARY KEY,
    dataset_version BIGINT NOT NULL REFERENCES dataset(version),
    created_at TEXT COLLATE "C" NOT NULL,
    family TEXT NOT NULL,
    params TEXT NOT NULL,
    cv_auc DOUBLE PRECISION NOT NULL,
    cv_auc_std DOUBLE PRECISION NOT NULL,
    metrics TEXT NOT NULL,
    artifact TEXT NOT NULL,
    scored_customers BIGINT NOT NULL
  );
  CREATE INDEX model_by_dataset ON model(dataset_version);
  CREATE TABLE score (
    model_version BIGINT NOT NULL REFERENCES model(version),
    id BIGINT NOT NULL,
    probability DOUBLE PRECISION NOT NULL CHECK (probability >= 0 AND probability <= 1),
    PRIMARY KEY (model_version, id)
  );
  CREATE TABLE active_model (
    slot SMALLINT PRIMARY KEY CHECK (slot = 1),
    model_version BIGINT NOT NULL REFERENCES model(version)
  );
  CREATE TRIGGER dataset_immutable BEFORE UPDATE ON dataset FOR EACH ROW EXECUTE FUNCTION reject_update('dataset versions are immutable');
  CREATE TRIGGER customer_immutable BEFORE UPDATE ON customer FOR EACH ROW EXECUTE FUNCTION reject_update('dataset versions are immutable');
  CREATE TRIGGER dropped_immutable BEFORE UPDATE ON dropped_customer FOR EACH ROW EXECUTE FUNCTION reject_update('dataset versions are immutable');
  CREATE TRIGGER model_immutable BEFORE UPDATE ON model FOR EACH ROW EXECUTE FUNCTION reject_update('model versions are immutable');
  CREATE TRIGGER score_immutable BEFORE UPDATE ON score FOR EACH ROW EXECUTE FUNCTION reject_update('model versions are immutable');
`;

/** The audit log of bot requests, append-only (migration 2). */
export const AUDIT_SCHEMA = `
  CREATE TABLE audit_log (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at TEXT NOT NULL,
    user_id BIGINT NOT NULL,
    chat_id BIGINT NOT NULL,
    action TEXT NOT NULL
  );
  CREATE INDEX audit_by_user ON audit_log(user_id, id);
  CREATE TRIGGER audit_append_only BEFORE UPDATE ON audit_log FOR EACH ROW EXECUTE FUNCTION reject_update('the audit log is append-only');
`;

/** Update claims: webhook replicas handle each Telegram update once (migration 6). */
export const UPDATE_CLAIM_SCHEMA = `
  CREATE TABLE update_claim (
    update_id BIGINT PRIMARY KEY,
    owner TEXT NOT NULL,
    claimed_at TEXT COLLATE "C" NOT NULL,
    expires_at TEXT COLLATE "C" NOT NULL
  );
  CREATE INDEX update_claim_by_expiry ON update_claim(expires_at);
`;

/** Segments and explanations stored per model version (migration 7; see the SQLite form for why models before it have none). */
export const SEGMENT_EXPLANATION_SCHEMA = `
  CREATE TABLE segment_set (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    model_version BIGINT NOT NULL REFERENCES model(version),
    high_risk DOUBLE PRECISION NOT NULL,
    medium_risk DOUBLE PRECISION NOT NULL,
    promo_share DOUBLE PRECISION NOT NULL,
    codes TEXT NOT NULL,
    categories TEXT NOT NULL,
    cutoffs TEXT NOT NULL,
    population BIGINT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (model_version, high_risk, medium_risk, promo_share)
  );
  CREATE TABLE segment_summary (
    set_id BIGINT NOT NULL REFERENCES segment_set(id),
    segment INTEGER NOT NULL,
    size BIGINT NOT NULL,
    share DOUBLE PRECISION NOT NULL,
    mean_risk DOUBLE PRECISION NOT NULL,
    profit_at_stake DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (set_id, segment)
  );
  CREATE TABLE segment_member (
    set_id BIGINT NOT NULL REFERENCES segment_set(id),
    segment INTEGER NOT NULL,
    rank INTEGER NOT NULL,
    id BIGINT NOT NULL,
    probability DOUBLE PRECISION NOT NULL,
    profit DOUBLE PRECISION NOT NULL,
    category INTEGER NOT NULL,
    segments INTEGER NOT NULL,
    PRIMARY KEY (set_id, segment, rank)
  );
  CREATE TABLE explanation (
    model_version BIGINT NOT NULL REFERENCES model(version),
    id BIGINT NOT NULL,
    drivers TEXT NOT NULL,
    base DOUBLE PRECISION,
    PRIMARY KEY (model_version, id)
  );
  CREATE TRIGGER segment_set_immutable BEFORE UPDATE ON segment_set FOR EACH ROW EXECUTE FUNCTION reject_update('model versions are immutable');
  CREATE TRIGGER segment_summary_immutable BEFORE UPDATE ON segment_summary FOR EACH ROW EXECUTE FUNCTION reject_update('model versions are immutable');
  CREATE TRIGGER segment_member_immutable BEFORE UPDATE ON segment_member FOR EACH ROW EXECUTE FUNCTION reject_update('model versions are immutable');
  CREATE TRIGGER explanation_immutable BEFORE UPDATE ON explanation FOR EACH ROW EXECUTE FUNCTION reject_update('model versions are immutable');
`;

/** Segment overlaps and the customers at the threshold: sqlite/schema.ts SEGMENT_COMBINATION_SCHEMA says why. */
export const SEGMENT_COMBINATION_SCHEMA = `
  CREATE TABLE segment_combination (
    set_id BIGINT NOT NULL REFERENCES segment_set(id),
    segments INTEGER NOT NULL,
    customers INTEGER NOT NULL,
    PRIMARY KEY (set_id, segments)
  );
  CREATE TRIGGER segment_combination_immutable BEFORE UPDATE ON segment_combination FOR EACH ROW EXECUTE FUNCTION reject_update('model versions are immutable');
  CREATE TEMP TABLE stale_segment_set ON COMMIT DROP AS
    SELECT s.id FROM segment_set s
    WHERE EXISTS (SELECT 1 FROM score c WHERE c.model_version = s.model_version AND c.probability = s.high_risk);
  DELETE FROM segment_member WHERE set_id IN (SELECT id FROM stale_segment_set);
  DELETE FROM segment_summary WHERE set_id IN (SELECT id FROM stale_segment_set);
  DELETE FROM segment_set WHERE id IN (SELECT id FROM stale_segment_set);
  INSERT INTO segment_combination (set_id, segments, customers)
    SELECT set_id, segments, count(*) FROM segment_member
    WHERE (segments & -segments) = (1 << segment)
    GROUP BY set_id, segments;
`;
