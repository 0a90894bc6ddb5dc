/** Chat state shared by replicas (ChatStateRepository): small rows, each with its own expiry. */
export const CHAT_STATE_SCHEMA = `
  CREATE TABLE chat_pending (
    chat_id BIGINT PRIMARY KEY,
    command TEXT NOT NULL,
    expires_at TEXT NOT NULL
  );
  CREATE TABLE chat_once (
    key TEXT PRIMARY KEY,
    expires_at TEXT NOT NULL
  );
  CREATE TABLE chat_hits (
    chat_id BIGINT NOT NULL,
    minute TEXT NOT NULL,
    hits INTEGER NOT NULL,
    PRIMARY KEY (chat_id, minute)
  );
  CREATE TABLE upload_file (
    chat_id BIGINT NOT NULL,
    role TEXT NOT NULL,
    file_name TEXT NOT NULL,
    bytes BYTEA NOT NULL,
    staged_at TEXT NOT NULL,
    PRIMARY KEY (chat_id, role)
  );
`;
