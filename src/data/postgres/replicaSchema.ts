/** Leases and the order of one chat's updates across replicas: sqlite/replicaSchema.ts says why. */
export const REPLICA_ORDER_SCHEMA = `
  CREATE TABLE lease (
    name TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    until TEXT COLLATE "C" NOT NULL
  );
  ALTER TABLE update_claim ADD COLUMN chat_id BIGINT;
  ALTER TABLE update_claim ADD COLUMN album TEXT;
  ALTER TABLE update_claim ADD COLUMN done_at TEXT COLLATE "C";
  CREATE INDEX update_claim_by_chat ON update_claim(chat_id, update_id) WHERE chat_id IS NOT NULL;
`;
