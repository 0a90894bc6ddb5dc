/**
 * The bot's dependencies built from an App, in one place: the composition root, the tests and the
 * benchmark all get them here, so a new dependency is added once.
 */
import { bestEffortChatState } from './chatState.ts';
import type { BotDeps } from '../bot/createBot.ts';
import type { Config } from '../config.ts';
import type { UploadFeature } from '../bot/upload.ts';
import type { Dialogue } from '../features/dialogue.ts';
import { accessPolicy } from './access.ts';
import { auditHook, createUploads, type UploadWiringOptions } from './botServices.ts';
import type { App } from './types.ts';

export interface BotWiringOptions {
  token: string;
  apiRoot?: string;
  /** Defaults to the configured lists. */
  access?: { allowed: ReadonlySet<number>; admins: ReadonlySet<number>; teamChats?: ReadonlySet<number> };
  /** Defaults to RATE_LIMIT_PER_MINUTE. */
  rateLimitPerMinute?: number;
  /** Defaults to the app's dialogue (the benchmark swaps in a text-only one). */
  dialogue?: Dialogue;
  /** The document upload path; `false` leaves it out. */
  uploads?: UploadWiringOptions | false;
}

export interface BotWiring {
  deps: BotDeps;
  uploads: UploadFeature | null;
}

export function botWiring(app: App, opts: BotWiringOptions): BotWiring {
  const audit = auditHook(app);
  const access = accessPolicy(
    opts.access
      ? { allowedUserIds: opts.access.allowed, adminUserIds: opts.access.admins, allowedChatIds: opts.access.teamChats ?? new Set() }
      : app.config,
    app.store.subscribers,
  );
  const uploads = opts.uploads === false ? null : createUploads(app, { audit, policy: access, ...opts.uploads });
  return {
    uploads,
    deps: {
      token: opts.token,
      apiRoot: opts.apiRoot,
      dialogue: opts.dialogue ?? app.dialogue,
      access,
      subscribers: app.store.subscribers,
      chatState: bestEffortChatState(app.store.chatState, app.log),
      rateLimitPerMinute: opts.rateLimitPerMinute ?? app.config.rateLimitPerMinute,
      log: app.log,
      audit,
      extensions: uploads ? [uploads.install] : [],
    },
  };
}

/**
 * Why the bot must not start with this configuration, or null. Closed by default: customer data
 * is personal data, and an empty list must never mean «anyone». The console and the CLI need none of it.
 */
export function botConfigProblem(config: Pick<Config, 'telegramToken' | 'allowedUserIds' | 'adminUserIds'>): string | null {
  if (!config.telegramToken) return 'TELEGRAM_BOT_TOKEN is not set';
  if (config.allowedUserIds.size === 0 && config.adminUserIds.size === 0) {
    return "refusing to start: ALLOWED_USER_IDS and ADMIN_USER_IDS are both empty; list the team's Telegram user ids";
  }
  return null;
}
