/** Typed callback data: encoded and decoded here only, so a button and its handler always agree. */
import type { CallbackData } from '../core/reply.ts';
import { MAX_CALLBACK_BYTES } from './limits.ts';

type Status = Extract<CallbackData, { kind: 'outreach' }>['status'];

const STATUS_CODE: Record<Status, string> = { offered: 'o', no_answer: 'n', declined: 'd' };
const STATUS_OF: Record<string, Status> = { o: 'offered', n: 'no_answer', d: 'declined' };

/** The part after the prefix; ':' separates fields, and no field but a segment code holds one. */
function payload(d: CallbackData): string {
  switch (d.kind) {
    case 'segment':
      return `s:${d.code}`;
    case 'export':
      return `e:${d.code}`;
    case 'risk':
      return `r:${d.id}`;
    case 'plan':
      return `p:${d.week}:${d.page}`;
    case 'outreach':
      // «o:2026-W48:215349:o:3» — 22 bytes for a 6-digit id; «-» marks a /risk card.
      return `o:${d.week}:${d.id}:${STATUS_CODE[d.status]}:${d.page ?? '-'}`;
  }
}

export function encodeCallback(d: CallbackData): string {
  const encoded = payload(d);
  if (Buffer.byteLength(encoded) > MAX_CALLBACK_BYTES) throw new Error(`callback data over ${MAX_CALLBACK_BYTES} bytes: ${encoded}`);
  return encoded;
}

const WEEK = '(\\d{4}-W\\d{2})';
const PLAN = new RegExp(`^p:${WEEK}:(\\d{1,4})$`);
const OUTREACH = new RegExp(`^o:${WEEK}:(\\d{1,16}):([ond]):(\\d{1,4}|-)$`);

const safeId = (s: string) => {
  const n = Number(s);
  return Number.isSafeInteger(n) ? n : null;
};

export function decodeCallback(raw: string): CallbackData | null {
  const plan = PLAN.exec(raw);
  if (plan) return Number(plan[2]) >= 1 ? { kind: 'plan', week: plan[1], page: Number(plan[2]) } : null;
  const o = OUTREACH.exec(raw);
  if (o) {
    const id = safeId(o[2]);
    const page = o[4] === '-' ? null : Number(o[4]);
    if (id === null || page === 0) return null;
    return { kind: 'outreach', week: o[1], id, status: STATUS_OF[o[3]], page };
  }
  const m = /^([ser]):(.{1,60})$/u.exec(raw);
  if (!m) return null;
  const [, prefix, value] = m;
  if (prefix === 's') return { kind: 'segment', code: value };
  if (prefix === 'e') return { kind: 'export', code: value };
  const id = /^\d+$/.test(value) ? safeId(value) : null;
  return id === null ? null : { kind: 'risk', id };
}
