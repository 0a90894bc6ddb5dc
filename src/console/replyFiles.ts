/** Where the console and the CLI put a reply's picture or file: one numbered file per reply. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Reply } from '../core/reply.ts';

/** Writes a photo or document reply into `outDir` and returns the absolute path. */
export function saveReplyFile(reply: Exclude<Reply, { type: 'text' }>, outDir: string, prefix = ''): string {
  mkdirSync(outDir, { recursive: true });
  const path = resolve(join(outDir, `${prefix}${reply.fileName}`));
  writeFileSync(path, reply.type === 'photo' ? reply.png : reply.content);
  return path;
}
