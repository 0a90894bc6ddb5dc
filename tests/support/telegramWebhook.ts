/**
 * Webhook delivery for the emulator, as Telegram does it once setWebhook has a URL: each queued
 * update is POSTed there as JSON with the X-Telegram-Bot-Api-Secret-Token header, and an answer
 * that is not 2xx (or none within the timeout) makes it try the same update again after a pause,
 * a bounded number of times, before giving up on it. getUpdates meanwhile answers 409.
 *
 * Up to setWebhook's max_connections (1–100, default 40, as Telegram) updates are in flight at
 * once, taken in update order: with 1 they go one at a time and a failing update holds the ones
 * behind it back; with more, a later update of a chat can reach the bot before an earlier one
 * is answered. Telegram's «reply with a method in the webhook answer» is not emulated: the answer
 * body is ignored.
 */

export interface WebhookDeliveryOptions {
  /** How long an answer may take before the delivery counts as failed (default 10000). */
  timeoutMs?: number;
  /** Pauses before each new try of a failed update; its length bounds the tries (default 1, 2, 4, 8, 16 s). */
  retryDelaysMs?: readonly number[];
}

/** One POST of one update to the webhook. */
export interface WebhookAttempt {
  updateId: number;
  /** 1 for the first delivery of the update, 2 for the first re-delivery… */
  attempt: number;
  url: string;
  /** The webhook's HTTP status; 0 when no answer came (refused, reset, timed out). */
  status: number;
  /** Telegram's last_error_message for a failed attempt. */
  error?: string;
  at: number;
}

export interface WebhookSettings {
  url: string;
  secretToken?: string;
  /** Update kinds to deliver; empty for Telegram's default (all but chat_member and reactions). */
  allowedUpdates: string[];
  /** Updates in flight at once (setWebhook's max_connections). */
  maxConnections: number;
}

/** setWebhook's max_connections when the call gives none. */
export const DEFAULT_MAX_CONNECTIONS = 40;

/** What the sender needs from the emulator's update queue. */
export interface UpdateQueue<U extends { update_id: number }> {
  /** Queued updates, oldest first. */
  pending(): readonly U[];
  /** The update was answered 2xx, or given up on. */
  remove(update: U): void;
  changed(): void;
  sleep(ms: number): Promise<void>;
}

const NOT_BY_DEFAULT = new Set(['chat_member', 'message_reaction', 'message_reaction_count']);
const SECRET_TOKEN = /^[A-Za-z0-9_-]{1,256}$/;
const WEBHOOK_PORTS = new Set(['', '80', '88', '443', '8443']);
const isLoopback = (host: string) => host === 'localhost' || host === '[::1]' || /^127\./.test(host);

/** Why Telegram would refuse this setWebhook (the text after «Bad Request: »), or null. Loopback URLs may be http on any port. */
export function webhookProblem(url: string, secretToken: unknown): string | null {
  if (secretToken !== undefined && !SECRET_TOKEN.test(String(secretToken))) return 'secret token contains unallowed characters';
  if (url === '') return null;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'bad webhook: invalid URL';
  }
  if (isLoopback(parsed.hostname)) return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? null : 'bad webhook: invalid URL';
  if (parsed.protocol !== 'https:') return 'bad webhook: An HTTPS URL must be provided for webhook';
  if (!WEBHOOK_PORTS.has(parsed.port)) return 'bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443';
  return null;
}

export class WebhookSender<U extends { update_id: number }> {
  readonly attempts: WebhookAttempt[] = [];
  lastError?: { date: number; message: string };
  private settings?: WebhookSettings;
  private running = false;
  private closed = false;
  private readonly abort = new AbortController();
  private readonly timeoutMs: number;
  private readonly retryDelaysMs: readonly number[];

  constructor(
    private readonly queue: UpdateQueue<U>,
    options: WebhookDeliveryOptions = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.retryDelaysMs = options.retryDelaysMs ?? [1000, 2000, 4000, 8000, 16_000];
  }

  get current(): WebhookSettings | undefined {
    return this.settings;
  }

  set(settings: WebhookSettings | undefined): void {
    this.settings = settings?.url ? settings : undefined;
    if (!this.settings) this.lastError = undefined;
    this.kick();
  }

  /** Starts delivering what is queued; a round already running takes up the new updates. */
  kick(): void {
    if (this.closed || !this.settings) return;
    if (this.running) {
      this.wake?.();
      return;
    }
    this.running = true;
    void this.run().finally(() => {
      this.running = false;
      if (this.settings && this.queue.pending().length) this.kick(); // queued while the round was ending
    });
  }

  close(): void {
    this.closed = true;
    this.abort.abort();
    this.wake?.();
  }

  private delivers(update: U, settings: WebhookSettings): boolean {
    const kind = Object.keys(update).find((k) => k !== 'update_id') ?? '';
    return settings.allowedUpdates.length ? settings.allowedUpdates.includes(kind) : !NOT_BY_DEFAULT.has(kind);
  }

  private wake?: () => void;

  private async run(): Promise<void> {
    const inFlight = new Map<U, Promise<void>>();
    while (this.settings && !this.closed) {
      const max = this.settings.maxConnections;
      for (const update of this.queue.pending()) {
        if (inFlight.size >= max) break;
        if (!inFlight.has(update)) inFlight.set(update, this.deliver(update).finally(() => inFlight.delete(update)));
      }
      if (inFlight.size === 0) return;
      const woken = new Promise<void>((r) => (this.wake = r));
      await Promise.race([...inFlight.values(), woken]);
      this.wake = undefined;
    }
  }

  /** One update until it is answered 2xx or tried as often as Telegram would. */
  private async deliver(update: U): Promise<void> {
    for (let tries = 1; this.settings && !this.closed; tries++) {
      const settings = this.settings;
      if (!this.delivers(update, settings)) {
        this.queue.remove(update);
        return;
      }
      const attempt = await this.post(update, settings, tries);
      this.attempts.push(attempt);
      if (attempt.error) this.lastError = { date: Math.floor(attempt.at / 1000), message: attempt.error };
      this.queue.changed();
      const delay = this.retryDelaysMs[tries - 1];
      if (!attempt.error || delay === undefined) {
        this.queue.remove(update);
        return;
      }
      await this.queue.sleep(delay);
    }
  }

  private async post(update: U, settings: WebhookSettings, attempt: number): Promise<WebhookAttempt> {
    const base = { updateId: update.update_id, attempt, url: settings.url, at: Date.now() };
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (settings.secretToken) headers['x-telegram-bot-api-secret-token'] = settings.secretToken;
    try {
      const res = await fetch(settings.url, {
        method: 'POST',
        headers,
        body: JSON.stringify(update),
        signal: AbortSignal.any([this.abort.signal, AbortSignal.timeout(this.timeoutMs)]),
      });
      await res.arrayBuffer().catch(() => undefined); // frees the connection for the next update
      if (res.status >= 200 && res.status < 300) return { ...base, status: res.status };
      return { ...base, status: res.status, error: `Wrong response from the webhook: ${res.status} ${res.statusText}`.trim() };
    } catch (err) {
      const error = err as Error & { cause?: { code?: string } };
      const reason = error.name === 'TimeoutError' ? 'Read timeout expired' : `Connection failed: ${error.cause?.code ?? error.message}`;
      return { ...base, status: 0, error: reason };
    }
  }
}
