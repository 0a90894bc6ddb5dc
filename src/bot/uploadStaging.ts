/**
 * Files of an upload in progress, per chat, until the set is complete. They are kept in the
 * store (ChatStateRepository), so the files of one upload may reach different webhook replicas.
 * Bounded: a chat's files expire after `ttlMs` without a new file, and when too many chats or
 * bytes are held the least recently touched chat is dropped. Expiry is decided against an
 * injected clock, so no timer keeps the process alive and tests need not wait.
 */
import type { ChatStateRepository, StagedFile } from '../core/ports.ts';

export type { StagedFile } from '../core/ports.ts';

export interface StagingOptions {
  ttlMs: number;
  maxChats?: number;
  maxBytes?: number;
  now?: () => number;
}

export class UploadStaging {
  private readonly now: () => number;
  private readonly maxChats: number;
  private readonly maxBytes: number;

  constructor(
    private readonly state: ChatStateRepository,
    readonly options: StagingOptions,
  ) {
    this.now = options.now ?? Date.now;
    this.maxChats = options.maxChats ?? 16;
    this.maxBytes = options.maxBytes ?? 256 * 1024 * 1024;
  }

  /** Adds or replaces the chat's file for `role`; `expired` says a stale upload was discarded first. */
  add(chatId: number, file: StagedFile): Promise<{ expired: boolean }> {
    const t = this.now();
    return this.state.stage(chatId, file, new Date(t).toISOString(), {
      staleBefore: this.staleBefore(t),
      maxChats: this.maxChats,
      maxBytes: this.maxBytes,
    });
  }

  /** The chat's staged files (none once they have expired). */
  files(chatId: number): Promise<StagedFile[]> {
    return this.state.staged(chatId, this.staleBefore(this.now()));
  }

  /** True when this call removed the files: the one caller that starts the upload's job. */
  clear(chatId: number): Promise<boolean> {
    return this.state.clearStaged(chatId);
  }

  private staleBefore(t: number): string {
    return new Date(t - this.options.ttlMs).toISOString();
  }
}
