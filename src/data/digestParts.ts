/** Digest parts (the frozen content of a run) as stored rows, for every engine. */
import type { Reply } from '../core/reply.ts';

export interface PartRow {
  type: Reply['type'];
  text: string | null;
  content: Buffer | null;
  file_name: string | null;
  caption: string | null;
}

/** The row of one part: type, text, content, file name, caption. */
export function partRow(p: Reply): [Reply['type'], string | null, Buffer | null, string | null, string | null] {
  if (p.type === 'text') return [p.type, p.text, null, null, null];
  return [p.type, null, p.type === 'photo' ? p.png : p.content, p.fileName, p.caption ?? null];
}

export function toPart(r: PartRow): Reply {
  if (r.type === 'text') return { type: 'text', text: r.text ?? '' };
  const caption = r.caption ?? undefined;
  if (r.type === 'photo') return { type: 'photo', png: r.content!, fileName: r.file_name!, caption };
  return { type: 'document', content: r.content!, fileName: r.file_name!, caption };
}
