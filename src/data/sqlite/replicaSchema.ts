/**
 * Replicas on one store, step 12: the named leases that make a retrain exclusive across processes,
 * and the chat of each claimed update with when it was handled, so one chat's updates run in order
 * on whichever replicas took them. Claims made before this step have no chat: nothing waits for them.
 */
export const REPLICA_ORDER_SCHEMA = `
  CREATE TABLE lease (
    name TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    until TEXT NOT NULL
  ) WITHOUT ROWID;
  ALTER TABLE update_claim ADD COLUMN chat_id INTEGER;
  ALTER TABLE update_claim ADD COLUMN album TEXT;
  ALTER TABLE update_claim ADD COLUMN done_at TEXT;
  CREATE INDEX update_claim_by_chat ON update_claim(chat_id, update_id) WHERE chat_id IS NOT NULL;
`;
