/**
 * Files of an upload in progress, per chat, in memory until the set is complete. Bounded: a
 * chat's files expire after `ttlMs` without a new file, and when too many chats or bytes are
 * held the least recently touched chat is dropped. Expiry is checked on access, with an
 * injected clock, so no timer keeps the process alive and tests need not wait.
 */

export interface StagedFile {
  /** The data-set file it stands for (market_file.csv …). */
  role: string;
  /** The name it was sent under. */
  fileName: string;
  bytes: Buffer;
}

export interface StagingOptions {
  ttlMs: number;
  maxChats?: number;
  maxBytes?: number;
  now?: () => number;
}

interface ChatFiles {
  files: Map<string, StagedFile>;
  touched: number;
}

export class UploadStaging {
  private readonly chats = new Map<number, ChatFiles>();
  private readonly now: () => number;
  private readonly maxChats: number;
  private readonly maxBytes: number;

  constructor(readonly options: StagingOptions) {
    this.now = options.now ?? Date.now;
    this.maxChats = options.maxChats ?? 16;
    this.maxBytes = options.maxBytes ?? 256 * 1024 * 1024;
  }

  /** Adds or replaces the chat's file for `role`; `expired` says a stale upload was discarded first. */
  add(chatId: number, file: StagedFile): { expired: boolean } {
    const expired = this.dropIfStale(chatId);
    const entry = this.chats.get(chatId) ?? { files: new Map(), touched: 0 };
    entry.files.set(file.role, file);
    entry.touched = this.now();
    // Re-inserting keeps the map in least-recently-touched order for eviction.
    this.chats.delete(chatId);
    this.chats.set(chatId, entry);
    this.evict(chatId);
    return { expired };
  }

  /** The chat's staged files (none once they have expired). */
  files(chatId: number): StagedFile[] {
    this.dropIfStale(chatId);
    return [...(this.chats.get(chatId)?.files.values() ?? [])];
  }

  /** Which of `roles` the chat still has to send. */
  missing(chatId: number, roles: readonly string[]): string[] {
    const have = new Set(this.files(chatId).map((f) => f.role));
    return roles.filter((r) => !have.has(r));
  }

  clear(chatId: number): void {
    this.chats.delete(chatId);
  }

  /** Chats currently holding files (expired ones included until touched). */
  get size(): number {
    return this.chats.size;
  }

  private dropIfStale(chatId: number): boolean {
    const entry = this.chats.get(chatId);
    if (!entry || this.now() - entry.touched <= this.options.ttlMs) return false;
    this.chats.delete(chatId);
    return true;
  }

  private evict(keep: number): void {
    const t = this.now();
    for (const [id, e] of this.chats) if (id !== keep && t - e.touched > this.options.ttlMs) this.chats.delete(id);
    const bytes = () => {
      let n = 0;
      for (const e of this.chats.values()) for (const f of e.files.values()) n += f.bytes.length;
      return n;
    };
    for (const id of this.chats.keys()) {
      if (id === keep || (this.chats.size <= this.maxChats && bytes() <= this.maxBytes)) break;
      this.chats.delete(id);
    }
  }
}
