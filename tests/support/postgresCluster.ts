/**
 * A throwaway PostgreSQL cluster, for the tests (tests/support/postgres.ts) and the benchmarks
 * (`npm run bench:scale -- --engine postgres`): `initdb` into a temporary directory, `pg_ctl start`
 * on a free loopback port (its socket inside that directory too), trust authentication, stopped
 * with `pg_ctl stop -m immediate` and deleted afterwards. CREATE DATABASE costs milliseconds, a
 * cluster about a second. No vitest here, so a plain Node process can import it.
 *
 * PostgreSQL refuses to run as root, so under root the cluster runs as `nobody`.
 */
import { execFile, execFileSync, spawn } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);
const TOOLS = ['initdb', 'pg_ctl'] as const;

/** The directory holding initdb and pg_ctl: PATH first, then Debian's /usr/lib/postgresql/N/bin (newest N). */
export function findPostgresBin(env: NodeJS.ProcessEnv = process.env): string | null {
  const debian = existsSync('/usr/lib/postgresql')
    ? readdirSync('/usr/lib/postgresql')
        .filter((v) => /^\d+$/.test(v))
        .sort((a, b) => Number(b) - Number(a))
        .map((v) => join('/usr/lib/postgresql', v, 'bin'))
    : [];
  const dirs = [...(env.PATH ?? '').split(delimiter).filter(Boolean), ...debian];
  return dirs.find((d) => TOOLS.every((t) => existsSync(join(d, t)))) ?? null;
}

export const POSTGRES_BIN = findPostgresBin();
export const hasPostgres = POSTGRES_BIN !== null;

/** Why no cluster can start here, or null when one can. */
export function postgresMissing(): string | null {
  return hasPostgres ? null : 'initdb/pg_ctl not found on PATH or in /usr/lib/postgresql/*/bin (apt-get install postgresql)';
}

/**
 * Server settings of a test cluster: nothing is worth a flush in a database deleted minutes later.
 * A benchmark passes `{}` to run with the server's defaults (every commit flushed, as in production).
 */
export const NO_DURABILITY: Readonly<Record<string, string>> = { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off' };

export interface ClusterOptions {
  /** `-c name=value` settings for the server; default NO_DURABILITY. */
  settings?: Readonly<Record<string, string>>;
  /**
   * Also stop and delete the cluster when this process dies by a signal, from a detached shell
   * that waits for it. A benchmark blocked in spawnSync cannot run a signal handler; a test
   * runner's afterAll and the exit hook cover the tests.
   */
  watchdog?: boolean;
}

const shellQuote = (arg: string) => `'${arg.replace(/'/g, `'\\''`)}'`;

export interface TestPostgres {
  /** Connection string of the cluster's `postgres` database (superuser, trust auth). */
  url: string;
  /** Loopback port the server listens on (user `postgres`, trust auth), e.g. for `psql -h 127.0.0.1 -p`. */
  port: number;
  /** The directory holding the server binaries (pg_ctl, postgres; psql too in Debian's layout). */
  bin: string;
  /**
   * Creates a database and returns its connection string: empty, or a copy of `template` (the URL of
   * a database of this cluster that nobody is connected to), which is how a suite gets a fresh
   * migrated database per test without migrating each one.
   */
  createDatabase(template?: string): Promise<string>;
  /** Stops the cluster (immediate mode) and deletes its directory. Safe to call twice. */
  stop(): Promise<void>;
}

/** The `nobody` user's ids when running as root (PostgreSQL refuses root), else null. */
function unprivileged(): { uid: number; gid: number } | null {
  if (process.getuid?.() !== 0) return null;
  const id = (flag: string) => Number(execFileSync('id', [flag, 'nobody'], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Starts a fresh cluster; throws when the binaries are missing (tests guard with describePostgres). */
export async function startPostgres(opts: ClusterOptions = {}): Promise<TestPostgres> {
  if (!POSTGRES_BIN) throw new Error(`no PostgreSQL: ${postgresMissing()}`);
  const bin = POSTGRES_BIN;
  // /tmp rather than a private TMPDIR: `nobody` must reach the directory, and the socket path must stay short.
  const root = mkdtempSync(join(existsSync('/tmp') ? '/tmp' : tmpdir(), 'retention-pg-'));
  const data = join(root, 'data');
  const socket = join(root, 'socket');
  mkdirSync(socket);
  const user = unprivileged();
  if (user) for (const dir of [root, socket]) chownSync(dir, user.uid, user.gid);
  /** The command line that runs a server tool as the cluster's owner. */
  const command = (tool: string, args: string[]): [string, string[]] => {
    if (!user) return [join(bin, tool), args];
    if (existsSync('/usr/bin/setpriv')) return ['setpriv', ['--reuid', String(user.uid), '--regid', String(user.gid), '--clear-groups', join(bin, tool), ...args]];
    return ['runuser', ['-u', 'nobody', '--', join(bin, tool), ...args]];
  };
  const asOwner = (tool: string, args: string[]) => run(...command(tool, args), { cwd: root });

  let stopped = false;
  const stopNow = () => {
    if (stopped) return;
    stopped = true;
    try {
      execFileSync(...command('pg_ctl', ['stop', '-D', data, '-m', 'immediate', '-w']), { cwd: root, stdio: 'ignore' });
    } catch {
      // Not running (start failed, or already stopped): nothing to stop.
    }
    rmSync(root, { recursive: true, force: true });
  };
  // A test process that dies without its afterAll must not leave a server behind.
  process.once('exit', stopNow);
  if (opts.watchdog) {
    const stop = command('pg_ctl', ['stop', '-D', data, '-m', 'immediate', '-w']);
    const script = `while kill -0 ${process.pid} 2>/dev/null; do sleep 1; done; ${[stop[0], ...stop[1]].map(shellQuote).join(' ')} >/dev/null 2>&1; rm -rf ${shellQuote(root)}`;
    spawn('sh', ['-c', script], { detached: true, stdio: 'ignore' }).unref();
  }

  try {
    await asOwner('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-sync', '--no-instructions']);
    let port = 0;
    for (let attempt = 1; ; attempt++) {
      port = await freePort();
      const settings = Object.entries(opts.settings ?? NO_DURABILITY).map(([k, v]) => ` -c ${k}=${v}`).join('');
      const options = `-c listen_addresses=127.0.0.1 -p ${port} -k ${socket}${settings}`;
      try {
        await asOwner('pg_ctl', ['start', '-D', data, '-l', join(root, 'server.log'), '-w', '-t', '60', '-o', options]);
        break;
      } catch (e) {
        // Another process may have taken the port between the probe and the start.
        if (attempt >= 3) {
          const log = join(root, 'server.log');
          const tail = existsSync(log) ? readFileSync(log, 'utf8').split('\n').slice(-10).join('\n') : '(no server log)';
          throw new Error(`pg_ctl start failed three times; the server log ends:\n${tail}`, { cause: e });
        }
      }
    }
    const base = `postgresql://postgres@127.0.0.1:${port}`;
    let databases = 0;
    return {
      url: `${base}/postgres`,
      port,
      bin,
      async createDatabase(template) {
        const name = `test_${process.pid}_${++databases}`;
        const client = new pg.Client({ connectionString: `${base}/postgres` });
        await client.connect();
        try {
          const from = template ? ` TEMPLATE ${new URL(template).pathname.slice(1)}` : '';
          await client.query(`CREATE DATABASE ${name}${from}`);
        } finally {
          await client.end();
        }
        return `${base}/${name}`;
      },
      async stop() {
        process.removeListener('exit', stopNow);
        stopNow();
      },
    };
  } catch (e) {
    process.removeListener('exit', stopNow);
    stopNow();
    throw e;
  }
}
