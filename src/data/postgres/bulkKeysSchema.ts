/**
 * Migration 9, PostgreSQL only (SQLite keeps its foreign keys: a row check there costs well under a
 * microsecond). Shipped SQL: never edit it, add a new step instead.
 *
 * The three tables loaded a million rows at a time by COPY — `customer` (→ dataset), `score`
 * (→ model) and `segment_member` (→ segment_set) — check their parent once per statement instead of
 * once per row. A declared foreign key runs a lookup and a row lock of the parent for every row:
 * at 1M rows that was 4.2 s of a 7 s COPY of customers, and most of a model's save. The checks
 * that replace it keep its meaning and its error (SQLSTATE 23503, the constraint's name):
 *
 * - after each INSERT or COPY statement, the distinct parent keys of its rows (a transition table)
 *   are looked up and locked FOR KEY SHARE, as the foreign key locks them; a key with no parent
 *   fails the statement. A parent deleted concurrently is either waited for (and then missing) or
 *   kept until this transaction ends;
 * - deleting a parent that still has rows in the child table fails, as NO ACTION does (after the
 *   row is deleted and locked, the check's own snapshot sees children committed meanwhile).
 *
 * Updates of either side were already refused (the immutability triggers), and every other
 * foreign key stays declared, so TRUNCATE of a parent is still refused. The other child tables
 * (dropped customers, explanations, summaries, campaign rows) hold a few thousand rows per version
 * and keep their declared keys.
 */

const BULK_KEYS = [
  { child: 'customer', column: 'version', parent: 'dataset', key: 'version', constraint: 'customer_version_fkey' },
  { child: 'score', column: 'model_version', parent: 'model', key: 'version', constraint: 'score_model_version_fkey' },
  { child: 'segment_member', column: 'set_id', parent: 'segment_set', key: 'id', constraint: 'segment_member_set_id_fkey' },
] as const;

export const STATEMENT_KEY_CHECKS = `
  -- TG_ARGV: child column, parent table, parent key, constraint name. Keys are BIGINT.
  CREATE FUNCTION check_parent_keys() RETURNS trigger LANGUAGE plpgsql AS $$
  DECLARE
    keys bigint[];
    found bigint[];
    missing bigint;
  BEGIN
    EXECUTE format('SELECT array_agg(k) FROM (SELECT DISTINCT %I AS k FROM new_rows WHERE %I IS NOT NULL) n', TG_ARGV[0], TG_ARGV[0]) INTO keys;
    IF keys IS NULL THEN RETURN NULL; END IF;
    EXECUTE format('SELECT array_agg(k) FROM (SELECT %I AS k FROM %I WHERE %I = ANY ($1) FOR KEY SHARE) p', TG_ARGV[2], TG_ARGV[1], TG_ARGV[2])
      USING keys INTO found;
    SELECT k INTO missing FROM unnest(keys) k WHERE NOT (k = ANY (coalesce(found, '{}'))) ORDER BY k LIMIT 1;
    IF missing IS NOT NULL THEN
      RAISE EXCEPTION 'insert or update on table "%" violates foreign key constraint "%"', TG_TABLE_NAME, TG_ARGV[3]
        USING ERRCODE = 'foreign_key_violation', CONSTRAINT = TG_ARGV[3], TABLE = TG_TABLE_NAME,
              DETAIL = format('Key (%s)=(%s) is not present in table "%s".', TG_ARGV[0], missing, TG_ARGV[1]);
    END IF;
    RETURN NULL;
  END $$;

  -- TG_ARGV: parent key, child table, child column, constraint name.
  CREATE FUNCTION check_no_children() RETURNS trigger LANGUAGE plpgsql AS $$
  DECLARE
    k bigint;
    referenced boolean;
  BEGIN
    EXECUTE format('SELECT ($1).%I', TG_ARGV[0]) USING OLD INTO k;
    EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I WHERE %I = $1)', TG_ARGV[1], TG_ARGV[2]) USING k INTO referenced;
    IF referenced THEN
      RAISE EXCEPTION 'update or delete on table "%" violates foreign key constraint "%" on table "%"', TG_TABLE_NAME, TG_ARGV[3], TG_ARGV[1]
        USING ERRCODE = 'foreign_key_violation', CONSTRAINT = TG_ARGV[3], TABLE = TG_TABLE_NAME,
              DETAIL = format('Key (%s)=(%s) is still referenced from table "%s".', TG_ARGV[0], k, TG_ARGV[1]);
    END IF;
    RETURN NULL;
  END $$;
${BULK_KEYS.map(
  (k) => `
  ALTER TABLE ${k.child} DROP CONSTRAINT ${k.constraint};
  CREATE TRIGGER ${k.constraint} AFTER INSERT ON ${k.child} REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION check_parent_keys('${k.column}', '${k.parent}', '${k.key}', '${k.constraint}');
  CREATE TRIGGER ${k.constraint} AFTER DELETE ON ${k.parent}
    FOR EACH ROW EXECUTE FUNCTION check_no_children('${k.key}', '${k.child}', '${k.column}', '${k.constraint}');`,
).join('')}
`;
