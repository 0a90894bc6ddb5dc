/**
 * SQLite's side of the schema history (../migrations.ts). Each migration runs once, in order,
 * inside its own IMMEDIATE transaction, and the schema version is recorded in `PRAGMA user_version`
 * by the same transaction — so a failing migration leaves the database exactly as it was.
 */
import type Database from 'better-sqlite3';
import { latestVersion, migrationsFor, type Migration as EngineMigration, type SqliteUp } from '../migrations.ts';

export type Migration = EngineMigration<SqliteUp>;

export const MIGRATIONS: readonly Migration[] = migrationsFor('sqlite');

/** Schema version of an open database (0 = empty). */
export function schemaVersion(db: Database.Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/**
 * Applies pending migrations in order. Safe to call on every open and from several processes
 * at once: each step re-reads the version under a write lock before applying.
 * Throws SchemaTooNewError when the database was written by newer code (its version is beyond the list).
 */
export function migrate(db: Database.Database, migrations: readonly Migration[] = MIGRATIONS): { from: number; to: number } {
  const from = schemaVersion(db);
  latestVersion(migrations, from);
  for (const m of migrations.slice(from)) {
    db.transaction(() => {
      if (schemaVersion(db) >= m.version) return;
      if (typeof m.up === 'string') db.exec(m.up);
      else m.up(db);
      db.pragma(`user_version = ${m.version}`);
    }).immediate();
  }
  return { from, to: schemaVersion(db) };
}
