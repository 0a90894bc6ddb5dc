/** Typed callback data: encoded and decoded here only, so a button and its handler always agree. */
import type { CallbackData } from '../core/reply.ts';
import { MAX_CALLBACK_BYTES } from './limits.ts';

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
