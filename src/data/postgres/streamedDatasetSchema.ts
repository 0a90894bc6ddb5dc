/**
 * Migration 13, PostgreSQL only. Shipped SQL: never edit it, add a new step instead.
 *
 * A streamed ingest COPYs a version's customers while the files are still being read, and their
 * parent check (migration 10) needs the `dataset` row before the COPY ends — before the counts in
 * it are known. So the row goes in first and is completed at the end. A data set version stays
 * immutable once committed: only the transaction that inserted the row may update it; any other
 * update is refused as before, with the same message and SQLSTATE.
 */
export const DATASET_COMPLETED_BY_ITS_TRANSACTION = `
  CREATE FUNCTION reject_committed_dataset_update() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    IF (SELECT d.xmin FROM dataset d WHERE d.version = OLD.version) = pg_current_xact_id()::xid AND NEW.version = OLD.version THEN
      RETURN NEW;
    END IF;
    RAISE EXCEPTION '%', TG_ARGV[0] USING ERRCODE = 'restrict_violation';
  END $$;
  DROP TRIGGER dataset_immutable ON dataset;
  CREATE TRIGGER dataset_immutable BEFORE UPDATE ON dataset FOR EACH ROW
    EXECUTE FUNCTION reject_committed_dataset_update('dataset versions are immutable');
`;
