/**
 * The HTTP side of webhook mode: Telegram POSTs each update to WEBHOOK_URL, and the load balancer
 * hands it to any replica. A request is trusted only with the secret header; an update is handled
 * only by the replica that claims its id first, and every copy is answered 200 so Telegram stops
 * re-delivering it.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Update } from 'telegraf/types';
import type { Logger, UpdateClaims } from '../core/ports.ts';
import { updateChat } from './updateOrder.ts';

/** Telegram's updates are a few KB; a document arrives as a file id, never as bytes. */
export const MAX_UPDATE_BYTES = 1024 * 1024;
/** Telegram keeps an undelivered update for 24 hours; a claim outlives every re-delivery of it. */
export const CLAIM_TTL_MS = 48 * 60 * 60_000;

export interface HealthReport {
  /** Whether the store answered a trivial query. */
  store: 'up' | 'down';
  /** The active model version; null when none is active (or the store is down). */
  model: number | null;
}

export interface WebhookHandlerOptions {
  /** The path of WEBHOOK_URL; every other path but the health check's is 404. */
  path: string;
  /** Where GET answers with the HealthReport: 200 when the store answers and a model is active, else 503. */
  healthPath: string;
  /** Expected in X-Telegram-Bot-Api-Secret-Token; compared in constant time, never logged. */
  secret: string;
  claims: UpdateClaims;
  /** Who claims (this replica), recorded with each claim. */
  owner: string;
  /** Hands an update to the bot; resolves once it is queued (createBot's per-chat queues). */
  handleUpdate(update: Update): Promise<void>;
  health(): Promise<HealthReport>;
  log: Logger;
  now?: () => Date;
  claimTtlMs?: number;
  maxBodyBytes?: number;
}

export interface WebhookHandler {
  handle(req: IncomingMessage, res: ServerResponse): void;
  /** From now on updates get 503 (Telegram re-delivers them, to a replica that is not stopping). */
  stopAccepting(): void;
  /** Resolves once every request being handled has been answered. */
  settled(): Promise<void>;
}

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/** Equal-length digests, so neither the content nor the length of the secret leaks through timing. */
function secretCheck(secret: string): (header: string | string[] | undefined) => boolean {
  const expected = digest(secret);
  return (header) => typeof header === 'string' && timingSafeEqual(digest(header), expected);
}

function answer(res: ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent) return;
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, { ...headers, ...(text ? { 'content-type': 'application/json' } : {}), 'content-length': String(Buffer.byteLength(text)) });
  res.end(text);
}

/** The body, or null once it passes `limit` (the rest is not read). */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.pause();
        resolve(null);
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

const isUpdate = (v: unknown): v is Update =>
  typeof v === 'object' && v !== null && Number.isSafeInteger((v as { update_id?: unknown }).update_id) && (v as Update).update_id >= 0;

export function createWebhookHandler(opts: WebhookHandlerOptions): WebhookHandler {
  const { log } = opts;
  const now = opts.now ?? (() => new Date());
  const ttlMs = opts.claimTtlMs ?? CLAIM_TTL_MS;
  const maxBytes = opts.maxBodyBytes ?? MAX_UPDATE_BYTES;
  const secretMatches = secretCheck(opts.secret);
  const inFlight = new Set<Promise<void>>();
  let accepting = true;

  const health = async (res: ServerResponse, head: boolean) => {
    // A health probe that throws, synchronously or not, means the store is down.
    const report: HealthReport = await Promise.resolve()
      .then(() => opts.health())
      .catch(() => ({ store: 'down', model: null }));
    const ok = report.store === 'up' && report.model !== null;
    const body = { status: ok ? 'ok' : 'unavailable', ...report };
    if (head) return answer(res, ok ? 200 : 503);
    answer(res, ok ? 200 : 503, body);
  };

  async function update(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // Refused before the body is read: an unauthenticated caller cannot make us buffer anything.
    const close = { connection: 'close' };
    if (!accepting) return answer(res, 503, { error: 'shutting down' }, close);
    if (!secretMatches(req.headers['x-telegram-bot-api-secret-token'])) {
      log.warn('webhook request refused: wrong or missing secret', { ip: req.socket.remoteAddress });
      return answer(res, 401, { error: 'unauthorized' }, close);
    }
    if (Number(req.headers['content-length'] ?? 0) > maxBytes) return answer(res, 413, { error: 'too large' }, close);
    const body = await readBody(req, maxBytes);
    if (body === null) return answer(res, 413, { error: 'too large' }, close);
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      return answer(res, 400, { error: 'malformed JSON' });
    }
    if (!isUpdate(parsed)) return answer(res, 400, { error: 'not an update' });
    const at = now();
    let claimed: boolean;
    try {
      // With its chat, so the chat's later updates on other replicas wait for this one (updateOrder.ts).
      const chat = updateChat(parsed) ?? undefined;
      claimed = await opts.claims.claim(parsed.update_id, opts.owner, new Date(at.getTime() + ttlMs).toISOString(), at.toISOString(), chat);
    } catch (err) {
      // Without a claim there is no «once»: Telegram delivers it again later.
      log.error('update claim failed', { updateId: parsed.update_id, error: (err as Error).message });
      return answer(res, 503, { error: 'store unavailable' });
    }
    if (!claimed) {
      log.info('update already claimed, acknowledged', { updateId: parsed.update_id });
      return answer(res, 200);
    }
    try {
      await opts.handleUpdate(parsed);
    } catch (err) {
      // Claimed, so a re-delivery would be dropped anyway: say 200 and keep the error in the log.
      log.error('update failed', { updateId: parsed.update_id, error: (err as Error).message });
    }
    answer(res, 200);
  }

  return {
    handle(req, res) {
      const path = (req.url ?? '/').split('?')[0];
      if (path === opts.healthPath && (req.method === 'GET' || req.method === 'HEAD')) return void health(res, req.method === 'HEAD');
      if (path !== opts.path) return answer(res, 404, { error: 'not found' });
      if (req.method !== 'POST') return answer(res, 405, { error: 'method not allowed' }, { allow: 'POST' });
      const done = update(req, res)
        .catch((err: unknown) => {
          log.error('webhook request failed', { error: (err as Error).message });
          answer(res, 500, { error: 'internal error' });
        })
        .finally(() => inFlight.delete(done));
      inFlight.add(done);
    },
    stopAccepting() {
      accepting = false;
    },
    async settled() {
      while (inFlight.size) await Promise.allSettled([...inFlight]);
    },
  };
}
