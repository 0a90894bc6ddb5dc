/**
 * New data through the chat. An admin sends the four CSV files — one by one, as an album, or
 * one .zip; they are staged per chat until the set is complete, then validated, stored and
 * trained on as a background job that edits one progress message («проверяю… обучаю… готово»).
 *
 * The job is deliberately not awaited by the update handler: telegraf's polling fetches the next
 * batch of updates only after every handler of the current one has finished, so a handler that
 * waited for training would freeze the bot for every chat.
 */
import type { Context, Telegraf, Telegram } from 'telegraf';
import { message } from 'telegraf/filters';
import type { ChatUser } from '../features/feature.ts';
import { DataError, formatProblem, LeaseBusyError } from '../core/errors.ts';
import type { Logger, UploadInspector } from '../core/ports.ts';
import type { RetrainReport, Retrainer } from '../core/retrain.ts';
import type { Reply } from '../core/reply.ts';
import * as M from '../messages.ts';
import { downloadFile, DownloadError } from './download.ts';
import { sendReplies } from './send.ts';
import type { StagedFile, UploadStaging } from './uploadStaging.ts';

/** The Bot API lets a bot download files up to 20 MB (getFile). */
export const MAX_FILE_BYTES = 20 * 1024 * 1024;
/** Problems shown in the chat; the rest are counted. */
const SHOWN_PROBLEMS = 10;

export interface UploadDeps {
  retrainer: Retrainer;
  inspector: UploadInspector;
  staging: UploadStaging;
  log: Logger;
  audit?: (entry: { userId: number; chatId: number; action: string }) => void;
  maxFileBytes?: number;
  /** After a successful retrain: who to tell what (high-profit customers newly at high risk), if anything. */
  alert?: (report: RetrainReport) => Promise<{ chatIds: readonly number[]; replies: Reply[] }>;
}

export interface UploadFeature {
  /** A createBot feature: registers the document handler. */
  install(bot: Telegraf<Context>, helpers: { user: (ctx: Context) => ChatUser }): void;
  /** Aborts training in progress and resolves once every job has told its chat how it ended. */
  shutdown(): Promise<void>;
  /** Resolves when no job is running (tests, benchmarks). */
  idle(): Promise<void>;
}

export function createUploadFeature(deps: UploadDeps): UploadFeature {
  const { retrainer, inspector, staging, log } = deps;
  const maxBytes = deps.maxFileBytes ?? MAX_FILE_BYTES;
  const maxMb = Math.round(maxBytes / (1024 * 1024));
  const timeoutMin = Math.round(staging.options.ttlMs / 60_000);
  /** Documents of a chat still being downloaded: the last one to finish reports, so an album gets one answer. */
  const inProgress = new Map<number, number>();
  /** Albums whose sender already got the admin-only refusal. */
  const refusedAlbums = new Set<string>();
  const jobs = new Set<Promise<void>>();
  const stopping = new AbortController();

  async function acceptDocument(ctx: Context, chatId: number, doc: { file_id: string; file_name?: string; file_size?: number }): Promise<void> {
    const name = doc.file_name ?? 'file';
    const kind = inspector.classify(name);
    if (kind === null) {
      await ctx.reply(/\.csv$/i.test(name) ? M.UPLOAD.unknownName(name, inspector.fileNames) : M.UPLOAD.wrongType(name, inspector.fileNames));
      return;
    }
    // Checked before getFile: Telegram refuses to hand out larger files anyway.
    if ((doc.file_size ?? 0) > maxBytes) {
      await ctx.reply(M.UPLOAD.tooLarge(name, (doc.file_size ?? 0) / (1024 * 1024), maxMb));
      return;
    }
    let bytes: Buffer;
    try {
      bytes = await downloadFile(ctx.telegram, doc.file_id, maxBytes);
    } catch (err) {
      if (!(err instanceof DownloadError)) throw err;
      log.warn('upload download failed', { chatId, reason: err.reason, error: err.message });
      const sizeMb = Math.max(doc.file_size ?? 0, maxBytes + 1) / (1024 * 1024);
      await ctx.reply(err.reason === 'too-large' ? M.UPLOAD.tooLarge(name, sizeMb, maxMb) : M.UPLOAD.downloadFailed(name));
      return;
    }
    if (kind === 'archive') {
      // An archive is a whole data set on its own; the reader unpacks it.
      await staging.clear(chatId);
      startJob(ctx, chatId, { [name]: bytes }, null);
      return;
    }
    if (inspector.isBinary(bytes)) {
      await ctx.reply(M.UPLOAD.notCsv(name));
      return;
    }
    const { expired } = await staging.add(chatId, { role: kind, fileName: name, bytes });
    if (expired) await ctx.reply(M.UPLOAD.expired(timeoutMin));
  }

  async function reportStaged(ctx: Context, chatId: number): Promise<void> {
    const files = await staging.files(chatId);
    if (files.length === 0) return;
    const have = new Set(files.map((f) => f.role));
    const missing = inspector.fileNames.filter((r) => !have.has(r));
    if (missing.length > 0) {
      await ctx.reply(M.UPLOAD.received(files.map((f) => f.fileName), missing, timeoutMin));
      return;
    }
    // Another replica may have completed the same upload a moment earlier: only one starts the job.
    if (!(await staging.clear(chatId))) return;
    startJob(ctx, chatId, Object.fromEntries(files.map((f) => [f.fileName, f.bytes])), files);
  }

  function startJob(ctx: Context, chatId: number, files: Record<string, Buffer>, staged: StagedFile[] | null): void {
    const userId = ctx.from!.id;
    const job = runJob(ctx.telegram, chatId, userId, files, staged).catch((err: unknown) => {
      log.error('upload job failed', { chatId, error: (err as Error).message });
    });
    jobs.add(job);
    void job.finally(() => jobs.delete(job));
  }

  async function runJob(telegram: Telegram, chatId: number, userId: number, files: Record<string, Buffer>, staged: StagedFile[] | null) {
    const progress = await ProgressMessage.send(telegram, chatId, M.UPLOAD.validating, log);
    const audit = (action: string) => deps.audit?.({ userId, chatId, action });
    const names = Object.keys(files);
    try {
      const r = await retrainer.run(files, `telegram upload by user ${userId}: ${names.join(', ')}`, {
        signal: stopping.signal,
        onStage: (stage, dataset) =>
          progress.show(
            stage === 'queued' ? M.UPLOAD.queued : stage === 'validating' ? M.UPLOAD.validating : M.UPLOAD.training(dataset!.customersKept, dataset!.customersIn),
          ),
      });
      audit(`retrain: dataset v${r.dataset.version} → model v${r.model.version}`);
      log.info('retrained on upload', { chatId, dataset: r.dataset.version, model: r.model.version, cvAuc: r.model.cvAuc });
      const contacts = r.contacts ? `\n\n${M.CAMPAIGN.contacts.imported(r.contacts)}` : '';
      await progress.show(
        M.UPLOAD.done({
          datasetVersion: r.dataset.version,
          rowsIn: r.rowsIn,
          customersIn: r.dataset.customersIn,
          customersKept: r.dataset.customersKept,
          previous: r.previous,
          model: r.model,
          compared: r.compared,
          bandChanges: r.bandChanges,
        }) + contacts,
      );
      await alertSubscribers(telegram, r);
    } catch (err) {
      if (err instanceof DataError) {
        // Keep the files so the manager can re-send just the one that was wrong.
        for (const f of staged ?? []) await staging.add(chatId, f);
        audit(`upload rejected: ${err.problems.length} problems`);
        const lines = err.problems.slice(0, SHOWN_PROBLEMS).map(formatProblem);
        await progress.show(M.UPLOAD.dataErrors(lines, err.problems.length - lines.length, timeoutMin, staged !== null));
      } else if (err instanceof LeaseBusyError) {
        audit('retrain gave up waiting for another retrain');
        log.warn('retrain gave up waiting for the lease', { chatId, waitedMs: err.waitedMs });
        await progress.show(M.UPLOAD.queueGaveUp(Math.round(err.waitedMs / 60_000)));
      } else if (stopping.signal.aborted) {
        audit('retrain interrupted by shutdown');
        await progress.show(M.UPLOAD.interrupted);
      } else {
        audit('retrain failed');
        log.error('retrain failed', { chatId, error: (err as Error).message });
        await progress.show(M.UPLOAD.trainingFailed(await retrainer.activeVersion()));
      }
    }
  }

  /** One short message per subscribed chat; a chat that cannot be reached is logged and skipped. */
  async function alertSubscribers(telegram: Telegram, report: RetrainReport): Promise<void> {
    const alert = await deps.alert?.(report);
    if (!alert?.replies.length) return;
    for (const chatId of alert.chatIds) {
      await sendReplies(telegram, chatId, alert.replies).catch((err: unknown) =>
        log.warn('retrain alert not delivered', { chatId, error: (err as Error).message }),
      );
    }
  }

  async function idle(): Promise<void> {
    while (jobs.size) await Promise.allSettled([...jobs]);
  }

  return {
    idle,
    install(bot, helpers) {
      bot.on(message('document'), async (ctx) => {
        const u = helpers.user(ctx);
        const doc = ctx.message.document;
        deps.audit?.({ userId: u.userId, chatId: u.chatId, action: `upload ${doc.file_name ?? '?'} (${doc.file_size ?? '?'} B)` });
        if (!u.isAdmin) {
          const album = ctx.message.media_group_id;
          if (album && refusedAlbums.has(album)) return;
          if (album) {
            if (refusedAlbums.size > 1000) refusedAlbums.clear();
            refusedAlbums.add(album);
          }
          await ctx.reply(M.UPLOAD.adminOnly);
          return;
        }
        inProgress.set(u.chatId, (inProgress.get(u.chatId) ?? 0) + 1);
        try {
          await acceptDocument(ctx, u.chatId, doc);
        } finally {
          const left = (inProgress.get(u.chatId) ?? 1) - 1;
          if (left > 0) inProgress.set(u.chatId, left);
          else inProgress.delete(u.chatId);
        }
        if (!inProgress.has(u.chatId)) await reportStaged(ctx, u.chatId);
      });
    },

    async shutdown() {
      stopping.abort(new Error('shutting down'));
      await idle();
    },
  };
}

/** One message edited as the work advances; re-sent if it can no longer be edited. */
class ProgressMessage {
  private constructor(
    private readonly telegram: Telegram,
    private readonly chatId: number,
    private messageId: number,
    private text: string,
    private readonly log: Logger,
  ) {}

  static async send(telegram: Telegram, chatId: number, text: string, log: Logger): Promise<ProgressMessage> {
    const m = await telegram.sendMessage(chatId, text);
    return new ProgressMessage(telegram, chatId, m.message_id, text, log);
  }

  async show(text: string): Promise<void> {
    if (text === this.text) return; // Telegram rejects an edit that changes nothing
    this.text = text;
    try {
      await this.telegram.editMessageText(this.chatId, this.messageId, undefined, text);
    } catch (err) {
      this.log.warn('progress message edit failed, sending anew', { chatId: this.chatId, error: (err as Error).message });
      const m = await this.telegram.sendMessage(this.chatId, text).catch(() => null);
      if (m) this.messageId = m.message_id;
    }
  }
}
