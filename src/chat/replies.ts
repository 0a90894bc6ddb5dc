/** Transport-free answers: the bot sends them through Telegram, the console prints and saves them. */

export type CallbackData =
  | { kind: 'segment'; code: string }
  | { kind: 'export'; code: string }
  | { kind: 'risk'; id: number };

export interface Button {
  text: string;
  data: CallbackData;
}

export type Reply =
  | { type: 'text'; text: string; buttons?: Button[][] }
  | { type: 'photo'; png: Buffer; fileName: string; caption?: string }
  | { type: 'document'; content: Buffer; fileName: string; caption?: string };

/** Telegram allows at most 64 bytes of callback data per button. */
export const MAX_CALLBACK_BYTES = 64;

const PREFIX = { segment: 's', export: 'e', risk: 'r' } as const;

export function encodeCallback(d: CallbackData): string {
  const value = d.kind === 'risk' ? String(d.id) : d.code;
  const encoded = `${PREFIX[d.kind]}:${value}`;
  if (Buffer.byteLength(encoded) > MAX_CALLBACK_BYTES) throw new Error(`callback data over ${MAX_CALLBACK_BYTES} bytes: ${encoded}`);
  return encoded;
}

export function decodeCallback(raw: string): CallbackData | null {
  const m = /^([ser]):(.{1,60})$/u.exec(raw);
  if (!m) return null;
  const [, prefix, value] = m;
  if (prefix === 's') return { kind: 'segment', code: value };
  if (prefix === 'e') return { kind: 'export', code: value };
  const id = Number(value);
  return Number.isSafeInteger(id) ? { kind: 'risk', id } : null;
}

/** Telegram caps a photo caption at 1024 characters and a message at 4096. */
export const CAPTION_LIMIT = 1024;
export const MESSAGE_LIMIT = 4096;

export const text = (t: string, buttons?: Button[][]): Reply => ({ type: 'text', text: t, buttons });
