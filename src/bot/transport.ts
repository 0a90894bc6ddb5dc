/**
 * Bot API calls without files go through undici instead of telegraf's node-fetch. A burst of fifty
 * /risk answers is bound by the event loop, and node-fetch builds a Request, Headers and body
 * streams on it for every call (docs/decisions.md has the burst's figures). Uploads (a chart, an
 * export) keep telegraf's multipart path, which a file's bytes dwarf anyway.
 *
 * What callers see is telegraf's contract: the call's result, a TelegramError for Telegram's
 * refusals and 5xx, an error named FetchError (with the socket's code) when the network fails, so
 * telegraf's polling and our retry (retry.ts) treat them as before, and an AbortError on abort.
 * No message carries the token.
 */
import { STATUS_CODES } from 'node:http';
import { TelegramError, type Telegram } from 'telegraf';
import { Agent } from 'undici';
import type { Logger } from '../core/ports.ts';
import { installRetry } from './retry.ts';

// One keep-alive pool per API origin for the whole process: idle sockets are unreferenced, so
// they never keep a finished process alive.
const agent = new Agent({ keepAliveTimeout: 30_000 });

interface Uploadable {
  source?: unknown;
  url?: unknown;
  media?: unknown;
}

/** telegraf's own test (client.js includesMedia): a payload with a file to upload is multipart. */
function hasMedia(payload: Record<string, unknown>): boolean {
  const isFile = (v: unknown) => typeof v === 'object' && v !== null && (Boolean((v as Uploadable).source) || Boolean((v as Uploadable).url));
  return Object.entries(payload).some(([key, value]) => {
    if (key === 'link_preview_options') return false;
    if (Array.isArray(value)) return value.some((item) => isFile((item as Uploadable | null)?.media));
    return isFile(value) || isFile((value as Uploadable | null)?.media);
  });
}

// As telegraf serialises: an unset field is left out rather than sent as null.
const withoutNulls = (_key: string, value: unknown) => (value === null ? undefined : value);

/** A network failure, named as node-fetch names it: telegraf's polling retries a FetchError. */
class FetchError extends Error {
  override name = 'FetchError';
  constructor(
    method: string,
    readonly code: string | undefined,
    cause: Error,
  ) {
    super(`Telegram ${method} failed: ${cause.message}`);
  }
}

const NETWORK_CODE = /^(E[A-Z]+|UND_ERR_[A-Z_]+)$/;

type CallApi = (method: string, payload?: Record<string, unknown>, extra?: { signal?: AbortSignal }) => Promise<unknown>;

async function post(apiRoot: string, token: string, method: string, payload: Record<string, unknown>, signal: AbortSignal | undefined): Promise<unknown> {
  // Resolved as telegraf resolves it, so an apiRoot with a path means the same here.
  const url = new URL(`./bot${token}/${method}`, apiRoot);
  let res;
  try {
    res = await agent.request({
      origin: url.origin,
      path: url.pathname,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(payload, withoutNulls),
      signal,
    });
  } catch (err) {
    if (signal?.aborted) throw Object.assign(new Error(`Telegram ${method} aborted`), { name: 'AbortError' });
    const code = (err as { code?: string }).code;
    throw new FetchError(method, code && NETWORK_CODE.test(code) ? code : undefined, err as Error);
  }
  if (res.statusCode >= 500) {
    await res.body.dump();
    throw new TelegramError({ error_code: res.statusCode, description: STATUS_CODES[res.statusCode] ?? 'Server Error' }, { method, payload });
  }
  const data = (await res.body.json()) as { ok: boolean; result?: unknown; error_code: number; description: string };
  if (!data.ok) throw new TelegramError(data, { method, payload });
  return data.result;
}

/** Sends `telegram`'s calls without files through undici; the rest stay with telegraf. */
export function installTransport(telegram: Telegram): void {
  const client = telegram as unknown as { callApi: CallApi; options: { apiRoot: string }; token: string };
  const viaTelegraf = client.callApi.bind(telegram);
  client.callApi = (method, payload = {}, extra = {}) =>
    hasMedia(payload) ? viaTelegraf(method, payload, extra) : post(client.options.apiRoot, client.token, method, payload, extra.signal);
}

/** The bot's Bot API client: this transport, under the retry policy (retry.ts) — for every client the bot sends with. */
export function prepareBotApi(telegram: Telegram, log?: Logger): void {
  installTransport(telegram);
  installRetry(telegram, log);
}
