/**
 * The bot's dependencies built from an App, in one place: the composition root, the tests and the
 * benchmark all get them here, so a new dependency is added once.
 */
import type { BotDeps } from '../bot/createBot.ts';
import type { UploadFeature } from '../bot/upload.ts';
import type { Dialogue } from '../features/dialogue.ts';
import { auditHook, createUploads, type UploadWiringOptions } from './botServices.ts';
import type { App } from './types.ts';

export interface BotWiringOptions {
  token: string;
  apiRoot?: string;
  /** Defaults to the configured lists. */
  access?: BotDeps['access'];
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
  const uploads = opts.uploads === false ? null : createUploads(app, { audit, ...opts.uploads });
  return {
    uploads,
    deps: {
      token: opts.token,
      apiRoot: opts.apiRoot,
      dialogue: opts.dialogue ?? app.dialogue,
      access: opts.access ?? { allowed: app.config.allowedUserIds, admins: app.config.adminUserIds },
      rateLimitPerMinute: opts.rateLimitPerMinute ?? app.config.rateLimitPerMinute,
      log: app.log,
      audit,
      extensions: uploads ? [uploads.install] : [],
    },
  };
}
