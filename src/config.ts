/** Environment → typed, validated config, read once at start. Secrets are never logged. */
import { z } from 'zod';
import { validate as validateCron } from 'node-cron';
import { DEFAULT_UNITS } from './messages.ts';

const idList = z
  .string()
  .optional()
  .transform((s, ctx) => {
    const parts = (s ?? '').split(/[\s,;]+/).filter(Boolean);
    const ids = parts.map(Number);
    const bad = parts.filter((_, i) => !Number.isSafeInteger(ids[i]));
    if (bad.length) ctx.addIssue({ code: 'custom', message: `not a Telegram id: ${bad.join(', ')}` });
    return new Set(ids);
  });

/** An empty variable (`WEBHOOK_URL=` in a compose file) means unset. */
const blankIsUnset = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);

/** Telegram's rule for secret_token (1–256 of these), with the length a guess should never reach. */
const WEBHOOK_SECRET = /^[A-Za-z0-9_-]{32,256}$/;
const HEALTH_PATH = '/healthz';

const isLoopback = (host: string) => host === 'localhost' || host === '[::1]' || /^127(\.\d{1,3}){3}$/.test(host);

const probability = (fallback: number) =>
  z.coerce.number().min(0).max(1).optional().transform((v) => v ?? fallback);

const schema = z.object({
  TELEGRAM_BOT_TOKEN: z
    .string()
    .optional()
    .transform((s) => (s && s.trim() ? s.trim() : undefined)),
  TELEGRAM_API_ROOT: z.url().optional(),
  RETENTION_DB: z.string().min(1).default('var/retention.db'),
  RETENTION_DEMO_DIR: z.string().min(1).default('data'),
  ALLOWED_USER_IDS: idList,
  ADMIN_USER_IDS: idList,
  ALLOWED_CHAT_IDS: idList,
  RISK_MEDIUM: probability(0.4),
  RISK_HIGH: probability(0.7),
  PROMO_SHARE: probability(0.5),
  DIGEST_CRON: z
    .string()
    .default('0 9 * * 1')
    .refine((s) => validateCron(s), 'not a valid cron expression'),
  DIGEST_TIMEZONE: z
    .string()
    .default('Europe/Moscow')
    .refine((tz) => {
      try {
        new Intl.DateTimeFormat('en', { timeZone: tz });
        return true;
      } catch {
        return false;
      }
    }, 'unknown IANA time zone'),
  // Below a few seconds a live sender's renewal (after each part, throttled to 1 s a chat) could miss it.
  DIGEST_LEASE_SECONDS: z.coerce.number().int().min(5).default(300),
  QUICKCHART_URL: z.url().optional(),
  CHART_OUT_DIR: z.string().min(1).default('var/charts'),
  CHART_CACHE_DIR: z.preprocess(blankIsUnset, z.string().optional()),
  // 0 turns the disk cache, and drawing /risk charts ahead, off.
  CHART_CACHE_MB: z.coerce.number().min(0).default(384),
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int().positive().default(30),
  TRAIN_SEED: z.coerce.number().int().default(42),
  TRAIN_FAMILIES: z.preprocess(blankIsUnset, z.string().optional()),
  UPLOAD_TIMEOUT_MINUTES: z.coerce.number().positive().default(30),
  UPLOAD_MAX_UNZIPPED_MB: z.coerce.number().positive().default(1024),
  CAMPAIGN_CAPACITY: z.coerce.number().int().positive().default(30),
  // Below 1: holding everyone out would leave no list to call.
  CONTROL_SHARE: z.coerce.number().min(0).lt(1).default(0.1),
  CONTACT_COOLDOWN_DAYS: z.coerce.number().int().min(0).default(28),
  CRM_URL_TEMPLATE: z
    .url()
    .optional()
    .refine((u) => u === undefined || u.includes('{id}'), 'must contain {id}, where the customer id goes'),
  /** Unit of «Выручка» in market_money.csv; the export does not say (README, «Units»). */
  MONEY_UNIT: z.string().trim().min(1).max(16).default(DEFAULT_UNITS.money),
  /** Unit of «Прибыль» in money.csv (average monthly profit per customer). */
  PROFIT_UNIT: z.string().trim().min(1).max(16).default(DEFAULT_UNITS.profit),
  WEBHOOK_URL: z.preprocess(blankIsUnset, z.url().optional()),
  WEBHOOK_SECRET: z.preprocess(blankIsUnset, z.string().optional()),
  PORT: z.preprocess(blankIsUnset, z.coerce.number().int().min(0).max(65535).default(8080)),
});

/** Webhook mode fails closed: a public URL anyone can POST to needs Telegram's secret header. */
const withWebhookRules = schema.superRefine((e, ctx) => {
  // A URL that does not parse is already reported by its field (zod runs this check anyway).
  if (!e.WEBHOOK_URL || !URL.canParse(e.WEBHOOK_URL)) return;
  const url = new URL(e.WEBHOOK_URL);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopback(url.hostname))) {
    ctx.addIssue({ code: 'custom', path: ['WEBHOOK_URL'], message: 'must be https:// (http:// only for a loopback host)' });
  }
  if (url.pathname === HEALTH_PATH) {
    ctx.addIssue({ code: 'custom', path: ['WEBHOOK_URL'], message: `its path must not be ${HEALTH_PATH}, where the health check is served` });
  }
  // The secret itself never goes into a message.
  if (!e.WEBHOOK_SECRET || !WEBHOOK_SECRET.test(e.WEBHOOK_SECRET)) {
    const rule = '32 to 256 characters of A-Z a-z 0-9 _ - (e.g. `openssl rand -hex 32`)';
    const message = e.WEBHOOK_SECRET ? `must be ${rule}` : `is required with WEBHOOK_URL: ${rule}`;
    ctx.addIssue({ code: 'custom', path: ['WEBHOOK_SECRET'], message });
  }
});

export interface Config {
  telegramToken?: string;
  telegramApiRoot?: string;
  dbPath: string;
  demoDir: string;
  allowedUserIds: Set<number>;
  adminUserIds: Set<number>;
  /** Team group chats that may receive customer data (answers and the digest). */
  allowedChatIds: Set<number>;
  risk: { medium: number; high: number };
  promoShare: number;
  digest: {
    cron: string;
    timezone: string;
    /** How long a digest run stays with its sender without progress before another process may take it over. */
    leaseMs: number;
  };
  quickchartUrl?: string;
  chartOutDir: string;
  /**
   * Rendered charts kept on disk (app/charts/diskCache.ts); null when CHART_CACHE_MB is 0. Without
   * CHART_CACHE_DIR the folder follows the store (chartCacheDir).
   */
  chartCache: { dir?: string; maxBytes: number } | null;
  rateLimitPerMinute: number;
  seed: number;
  /** Model families every training searches (TRAIN_FAMILIES); undefined: all of them. */
  trainFamilies?: string[];
  /** Staged upload files are forgotten after this long without a new file. */
  uploadTimeoutMs: number;
  /** What one uploaded ZIP may inflate to, all entries together. */
  uploadMaxUnzippedBytes: number;
  campaign: {
    /** Calls a week can take. */
    capacity: number;
    /** Share of the week's candidates held out as the control group. */
    controlShare: number;
    /** Customers reached or held out this many days back are not planned again. */
    cooldownDays: number;
    /** Link to a customer's CRM page, `{id}` replaced by the id. */
    crmUrlTemplate?: string;
  };
  /** What revenue and profit figures are shown in: every money figure carries its unit. */
  units: { money: string; profit: string };
  /** Set when WEBHOOK_URL is: the bot serves updates over HTTP instead of long polling. */
  webhook?: {
    /** The public URL Telegram posts to (the load balancer's, the same for every replica). */
    url: string;
    /** The URL's path, where the updates are served. */
    path: string;
    /** Telegram sends it in X-Telegram-Bot-Api-Secret-Token; never logged. */
    secret: string;
    /** Where this process listens (0: any free port, for tests). */
    port: number;
    /** The health check's path on the same port. */
    healthPath: string;
  };
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    // One problem, one line: that is what an operator reads in a crash-looping container's log.
    super(
      problems.length === 1
        ? `invalid configuration: ${problems[0]}`
        : `invalid configuration:\n${problems.map((p) => `  ${p}`).join('\n')}`,
    );
    this.name = 'ConfigError';
  }
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = withWebhookRules.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  const e = parsed.data;
  if (e.RISK_MEDIUM >= e.RISK_HIGH) {
    throw new ConfigError([`RISK_MEDIUM (${e.RISK_MEDIUM}) must be below RISK_HIGH (${e.RISK_HIGH})`]);
  }
  return {
    telegramToken: e.TELEGRAM_BOT_TOKEN,
    telegramApiRoot: e.TELEGRAM_API_ROOT,
    dbPath: e.RETENTION_DB,
    demoDir: e.RETENTION_DEMO_DIR,
    allowedUserIds: e.ALLOWED_USER_IDS,
    adminUserIds: e.ADMIN_USER_IDS,
    allowedChatIds: e.ALLOWED_CHAT_IDS,
    risk: { medium: e.RISK_MEDIUM, high: e.RISK_HIGH },
    promoShare: e.PROMO_SHARE,
    digest: { cron: e.DIGEST_CRON, timezone: e.DIGEST_TIMEZONE, leaseMs: e.DIGEST_LEASE_SECONDS * 1000 },
    quickchartUrl: e.QUICKCHART_URL,
    chartOutDir: e.CHART_OUT_DIR,
    chartCache: e.CHART_CACHE_MB === 0 ? null : { dir: e.CHART_CACHE_DIR, maxBytes: Math.round(e.CHART_CACHE_MB * 2 ** 20) },
    rateLimitPerMinute: e.RATE_LIMIT_PER_MINUTE,
    seed: e.TRAIN_SEED,
    trainFamilies: e.TRAIN_FAMILIES?.split(',').map((f) => f.trim()).filter(Boolean),
    uploadTimeoutMs: e.UPLOAD_TIMEOUT_MINUTES * 60_000,
    uploadMaxUnzippedBytes: Math.round(e.UPLOAD_MAX_UNZIPPED_MB * 1024 * 1024),
    campaign: {
      capacity: e.CAMPAIGN_CAPACITY,
      controlShare: e.CONTROL_SHARE,
      cooldownDays: e.CONTACT_COOLDOWN_DAYS,
      crmUrlTemplate: e.CRM_URL_TEMPLATE,
    },
    units: { money: e.MONEY_UNIT, profit: e.PROFIT_UNIT },
    webhook: e.WEBHOOK_URL
      ? { url: e.WEBHOOK_URL, path: new URL(e.WEBHOOK_URL).pathname, secret: e.WEBHOOK_SECRET!, port: e.PORT, healthPath: HEALTH_PATH }
      : undefined,
  };
}
