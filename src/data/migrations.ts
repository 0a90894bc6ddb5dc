/**
 * The schema's history, one list for both engines: each step carries its SQLite and its
 * PostgreSQL form under the same version number, so a version means the same tables on either.
 * SQLite records the version in `PRAGMA user_version` (sqlite/migrations.ts), PostgreSQL in
 * `schema_version` (postgres/migrate.ts); both refuse a database newer than this list.
 *
 * To change the schema, append `{ version: N + 1, name, sqlite, postgres }`. Never edit a step that
 * has shipped: existing databases were built from its text.
 */
import type Database from 'better-sqlite3';
import type pg from 'pg';
import { SchemaTooNewError } from './errors.ts';
import * as pgBulkKeys from './postgres/bulkKeysSchema.ts';
import * as pgCampaign from './postgres/campaignSchema.ts';
import * as pgChatState from './postgres/chatStateSchema.ts';
import * as pgDigest from './postgres/digestSchema.ts';
import * as pgReplica from './postgres/replicaSchema.ts';
import * as pgSchema from './postgres/schema.ts';
import * as pgStreamedDataset from './postgres/streamedDatasetSchema.ts';
import * as sqliteCampaign from './sqlite/campaignSchema.ts';
import * as sqliteChatState from './sqlite/chatStateSchema.ts';
import * as sqliteDigest from './sqlite/digestSchema.ts';
import * as sqliteReplica from './sqlite/replicaSchema.ts';
import * as sqliteSchema from './sqlite/schema.ts';

/** One engine's form of a step: an SQL script, or a function for changes SQL alone cannot express. */
export interface Migration<Up> {
  version: number;
  name: string;
  up: Up;
}

export type SqliteUp = string | ((db: Database.Database) => void);
export type PostgresUp = string | ((client: pg.ClientBase) => Promise<void>);

export interface SchemaStep {
  version: number;
  name: string;
  sqlite: SqliteUp;
  postgres: PostgresUp;
}

export const SCHEMA_STEPS: readonly SchemaStep[] = [
  {
    version: 1,
    name: 'datasets, customers, models, scores, active model pointer',
    sqlite: sqliteSchema.DATASET_MODEL_SCHEMA,
    postgres: pgSchema.DATASET_MODEL_SCHEMA,
  },
  { version: 2, name: 'audit log of bot requests', sqlite: sqliteSchema.AUDIT_SCHEMA, postgres: pgSchema.AUDIT_SCHEMA },
  {
    version: 3,
    name: 'digest: subscribers, weekly runs, frozen content, per-chat deliveries',
    sqlite: sqliteDigest.DIGEST_SCHEMA,
    postgres: pgDigest.DIGEST_SCHEMA,
  },
  {
    version: 4,
    name: 'campaign: weekly plans with control groups, outreach, customer contacts',
    sqlite: sqliteCampaign.CAMPAIGN_SCHEMA,
    postgres: pgCampaign.CAMPAIGN_SCHEMA,
  },
  {
    version: 5,
    name: 'subscriber reasons and migrations',
    sqlite: sqliteDigest.SUBSCRIBER_MIGRATION_SCHEMA,
    postgres: pgDigest.SUBSCRIBER_MIGRATION_SCHEMA,
  },
  {
    version: 6,
    name: 'update claims: webhook replicas handle each Telegram update once',
    sqlite: sqliteSchema.UPDATE_CLAIM_SCHEMA,
    postgres: pgSchema.UPDATE_CLAIM_SCHEMA,
  },
  {
    version: 7,
    name: 'segments and explanations stored per model version',
    sqlite: sqliteSchema.SEGMENT_EXPLANATION_SCHEMA,
    postgres: pgSchema.SEGMENT_EXPLANATION_SCHEMA,
  },
  {
    version: 8,
    name: 'chat state shared by replicas: pending questions, one-off notices, request windows, upload staging',
    sqlite: sqliteChatState.CHAT_STATE_SCHEMA,
    postgres: pgChatState.CHAT_STATE_SCHEMA,
  },
  {
    version: 9,
    name: 'segment overlaps and the customers exactly at the at-risk threshold, stored per segment set',
    sqlite: sqliteSchema.SEGMENT_COMBINATION_SCHEMA,
    postgres: pgSchema.SEGMENT_COMBINATION_SCHEMA,
  },
  {
    version: 10,
    name: 'bulk-loaded customers, scores and segment members check their parent once per statement',
    // The same tables and the same refusals on either engine; only PostgreSQL changes how it checks.
    sqlite: '-- PostgreSQL only: SQLite keeps its declared foreign keys',
    postgres: pgBulkKeys.STATEMENT_KEY_CHECKS,
  },
  {
    version: 11,
    name: 'digest deliveries record the part being sent and the parts a dead sender may have lost',
    sqlite: sqliteDigest.DELIVERY_IN_FLIGHT_SCHEMA,
    postgres: pgDigest.DELIVERY_IN_FLIGHT_SCHEMA,
  },
  {
    version: 12,
    name: 'replicas: named leases (one retrain at a time), the chat of each claimed update and when it was handled',
    sqlite: sqliteReplica.REPLICA_ORDER_SCHEMA,
    postgres: pgReplica.REPLICA_ORDER_SCHEMA,
  },
  {
    version: 13,
    name: 'a data set row may be completed by the transaction that inserted it (customers streamed while read)',
    sqlite: '-- PostgreSQL only: SQLite stores a data set once it is read',
    postgres: pgStreamedDataset.DATASET_COMPLETED_BY_ITS_TRANSACTION,
  },
];

/** One engine's list, in order. */
export function migrationsFor<E extends 'sqlite' | 'postgres'>(engine: E): Migration<SchemaStep[E]>[] {
  return SCHEMA_STEPS.map((s) => ({ version: s.version, name: s.name, up: s[engine] }));
}

/**
 * Checks that a list is numbered 1..N and that a database at `found` is not newer than it;
 * returns N. Throws SchemaTooNewError for a database written by newer code.
 */
export function latestVersion(migrations: readonly { version: number }[], found: number): number {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`migration #${i} has version ${m.version}, expected ${i + 1}`);
  });
  if (found > migrations.length) throw new SchemaTooNewError(found, migrations.length);
  return migrations.length;
}
