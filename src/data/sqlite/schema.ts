/**
 * SQLite forms of the schema steps in ../migrations.ts that have no file of their own. Shipped SQL:
 * never edit it (the text is what existing databases were created with), add a new step instead.
 */

/** Data set versions with their customers, models with their scores, the active pointer (migration 1). */
export const DATASET_MODEL_SCHEMA = `
      CREATE TABLE dataset (
        version INTEGER PRIMARY KEY AUTOINCREMENT,
        created_at TEXT NOT NULL,
        source TEXT NOT NULL,
        customers_in INTEGER NOT NULL,
        customers_kept INTEGER NOT NULL,
        positives INTEGER NOT NULL,
        rows_in TEXT NOT NULL
      );
      CREATE TABLE customer (
        version INTEGER NOT NULL REFERENCES dataset(version),
        id INTEGER NOT NULL,
        label INTEGER CHECK (label IN (0, 1)),
        service_type TEXT NOT NULL,
        allow_notify INTEGER NOT NULL CHECK (allow_notify IN (0, 1)),
        market_active_6m REAL NOT NULL,
        market_active_current REAL NOT NULL,
        tenure_days REAL NOT NULL,
        promo_share REAL NOT NULL,
        popular_category TEXT NOT NULL,
        categories_per_visit REAL NOT NULL,
        unpaid_items REAL NOT NULL,
        service_errors REAL NOT NULL,
        pages_per_visit REAL NOT NULL,
        revenue_pre_prev REAL NOT NULL,
        revenue_prev REAL NOT NULL,
        revenue_current REAL NOT NULL,
        minutes_prev REAL NOT NULL,
        minutes_current REAL NOT NULL,
        profit REAL NOT NULL,
        PRIMARY KEY (version, id)
      ) WITHOUT ROWID;
      CREATE TABLE dropped_customer (
        version INTEGER NOT NULL REFERENCES dataset(version),
        id INTEGER NOT NULL,
        reason TEXT NOT NULL CHECK (reason IN ('zero_revenue', 'revenue_outlier')),
        PRIMARY KEY (version, id)
      ) WITHOUT ROWID;
      CREATE TABLE model (
        version INTEGER PRIMARY KEY AUTOINCREMENT,
        dataset_version INTEGER NOT NULL REFERENCES dataset(version),
        created_at TEXT NOT NULL,
        family TEXT NOT NULL,
        params TEXT NOT NULL,
        cv_auc REAL NOT NULL,
        cv_auc_std REAL NOT NULL,
        metrics TEXT NOT NULL,
        artifact TEXT NOT NULL,
        scored_customers INTEGER NOT NULL
      );
      CREATE INDEX model_by_dataset ON model(dataset_version);
      CREATE TABLE score (
        model_version INTEGER NOT NULL REFERENCES model(version),
        id INTEGER NOT NULL,
        probability REAL NOT NULL CHECK (probability >= 0 AND probability <= 1),
        PRIMARY KEY (model_version, id)
      ) WITHOUT ROWID;
      CREATE TABLE active_model (
        slot INTEGER PRIMARY KEY CHECK (slot = 1),
        model_version INTEGER NOT NULL REFERENCES model(version)
      );
      CREATE TRIGGER dataset_immutable BEFORE UPDATE ON dataset BEGIN SELECT RAISE(ABORT, 'dataset versions are immutable'); END;
      CREATE TRIGGER customer_immutable BEFORE UPDATE ON customer BEGIN SELECT RAISE(ABORT, 'dataset versions are immutable'); END;
      CREATE TRIGGER dropped_immutable BEFORE UPDATE ON dropped_customer BEGIN SELECT RAISE(ABORT, 'dataset versions are immutable'); END;
      CREATE TRIGGER model_immutable BEFORE UPDATE ON model BEGIN SELECT RAISE(ABORT, 'model versions are immutable'); END;
      CREATE TRIGGER score_immutable BEFORE UPDATE ON score BEGIN SELECT RAISE(ABORT, 'model versions are immutable'); END;
    `;

/** The audit log of bot requests, append-only (migration 2). */
export const AUDIT_SCHEMA = `
      CREATE TABLE audit_log (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at TEXT NOT NULL,
        user_id INTEGER NOT NULL,
        chat_id INTEGER NOT NULL,
        action TEXT NOT NULL
      );
      CREATE INDEX audit_by_user ON audit_log(user_id, id);
      CREATE TRIGGER audit_append_only BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
    `;

/** Update claims: webhook replicas handle each Telegram update once (migration 6). */
export const UPDATE_CLAIM_SCHEMA = `
      CREATE TABLE update_claim (
        update_id INTEGER PRIMARY KEY,
        owner TEXT NOT NULL,
        claimed_at TEXT NOT NULL,
        expires_at TEXT NOT NULL
      );
      CREATE INDEX update_claim_by_expiry ON update_claim(expires_at);
    `;

/**
 * Segments and explanations stored per model version (migration 7). Models stored before it get
 * their segments on first use (src/core/portfolio.ts), not at migration time: a migration runs on
 * every open of the store, and at a million customers the build takes seconds that no command but
 * the bot's first segment question should pay.
 */
export const SEGMENT_EXPLANATION_SCHEMA = `
      CREATE TABLE segment_set (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        model_version INTEGER NOT NULL REFERENCES model(version),
        high_risk REAL NOT NULL,
        medium_risk REAL NOT NULL,
        promo_share REAL NOT NULL,
        codes TEXT NOT NULL,
        categories TEXT NOT NULL,
        cutoffs TEXT NOT NULL,
        population INTEGER NOT NULL,
        created_at TEXT NOT NULL,
        UNIQUE (model_version, high_risk, medium_risk, promo_share)
      );
      CREATE TABLE segment_summary (
        set_id INTEGER NOT NULL REFERENCES segment_set(id),
        segment INTEGER NOT NULL,
        size INTEGER NOT NULL,
        share REAL NOT NULL,
        mean_risk REAL NOT NULL,
        profit_at_stake REAL NOT NULL,
        PRIMARY KEY (set_id, segment)
      ) WITHOUT ROWID;
      CREATE TABLE segment_member (
        set_id INTEGER NOT NULL REFERENCES segment_set(id),
        segment INTEGER NOT NULL,
        rank INTEGER NOT NULL,
        id INTEGER NOT NULL,
        probability REAL NOT NULL,
        profit REAL NOT NULL,
        category INTEGER NOT NULL,
        segments INTEGER NOT NULL,
        PRIMARY KEY (set_id, segment, rank)
      ) WITHOUT ROWID;
      CREATE TABLE explanation (
        model_version INTEGER NOT NULL REFERENCES model(version),
        id INTEGER NOT NULL,
        drivers TEXT NOT NULL,
        base REAL,
        PRIMARY KEY (model_version, id)
      ) WITHOUT ROWID;
      CREATE TRIGGER segment_set_immutable BEFORE UPDATE ON segment_set BEGIN SELECT RAISE(ABORT, 'model versions are immutable'); END;
      CREATE TRIGGER segment_summary_immutable BEFORE UPDATE ON segment_summary BEGIN SELECT RAISE(ABORT, 'model versions are immutable'); END;
      CREATE TRIGGER segment_member_immutable BEFORE UPDATE ON segment_member BEGIN SELECT RAISE(ABORT, 'model versions are immutable'); END;
      CREATE TRIGGER explanation_immutable BEFORE UPDATE ON explanation BEGIN SELECT RAISE(ABORT, 'model versions are immutable'); END;
    `;

/**
 * segment_combination: customers per combination of segments (a mask in the set's code order), so
 * the /segment overview reads at most 63 rows instead of every member. Customers exactly at the
 * threshold (high band, not at risk) are member rows of segment -1 with a summary row of their
 * count; the week's call list reads them beside the at-risk order.
 * Sets stored before: their combinations come from their own member rows (each customer counted
 * once, on the row of its lowest segment bit). A set whose scores put someone exactly at the
 * threshold is dropped instead — it is built again on first use, with them — because only the
 * scores know who they are; with continuous scores that is no set at all.
 */
export const SEGMENT_COMBINATION_SCHEMA = `
  CREATE TABLE segment_combination (
    set_id INTEGER NOT NULL REFERENCES segment_set(id),
    segments INTEGER NOT NULL,
    customers INTEGER NOT NULL,
    PRIMARY KEY (set_id, segments)
  ) WITHOUT ROWID;
  CREATE TRIGGER segment_combination_immutable BEFORE UPDATE ON segment_combination BEGIN SELECT RAISE(ABORT, 'model versions are immutable'); END;
  CREATE TEMP TABLE stale_segment_set AS
    SELECT s.id FROM segment_set s
    WHERE EXISTS (SELECT 1 FROM score c WHERE c.model_version = s.model_version AND c.probability = s.high_risk);
  DELETE FROM segment_member WHERE set_id IN (SELECT id FROM stale_segment_set);
  DELETE FROM segment_summary WHERE set_id IN (SELECT id FROM stale_segment_set);
  DELETE FROM segment_set WHERE id IN (SELECT id FROM stale_segment_set);
  DROP TABLE stale_segment_set;
  INSERT INTO segment_combination (set_id, segments, customers)
    SELECT set_id, segments, count(*) FROM segment_member
    WHERE (segments & -segments) = (1 << segment)
    GROUP BY set_id, segments;
`;
