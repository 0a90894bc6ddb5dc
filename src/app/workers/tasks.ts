/** The tasks a worker runs (worker.ts) and their payloads and results, typed once for both sides. */
import type { DeliveryReport, DigestTrigger } from '../../core/digest/runner.ts';
import type { CustomerExplanation } from '../../core/ports.ts';
import type { CallbackData, Reply } from '../../core/reply.ts';
import type { SegmentSettings } from '../../core/segments.ts';
import type { ChartSize } from '../../features/charts/types.ts';
import type { ChatUser } from '../../features/feature.ts';
import type { PrerenderChunk, PrerenderChunkResult } from '../charts/prerender.ts';

export type FeatureCall =
  | { command: string; user: ChatUser; args: string }
  | { command: string; user: ChatUser; callback: CallbackData };

export interface Tasks {
  /** Boots the app and the chart renderer, so the first real task is fast. */
  warm: { payload: null; result: null };
  render: { payload: { source: string; size: ChartSize }; result: Uint8Array };
  /** A feature's command or button, answered as the main thread would. */
  feature: { payload: FeatureCall; result: Reply[] };
  segments: { payload: { modelVersion: number; settings: SegmentSettings }; result: null };
  explain: { payload: { modelVersion: number; ids: readonly number[]; every?: boolean }; result: CustomerExplanation[] };
  /** Draws a chunk of /risk charts onto the disk cache ahead of the questions (charts/prerender.ts). */
  prerender: { payload: PrerenderChunk; result: PrerenderChunkResult };
  /** A passive WAL checkpoint of the shared SQLite file, taken over from the event loop's connection. */
  checkpoint: { payload: null; result: null };
  /** A whole digest run — compose, record, send to every subscriber — with the worker's own Bot API client. */
  deliverDigest: { payload: { period: string; trigger: DigestTrigger; force?: boolean }; result: DeliveryReport };
}

export type TaskName = keyof Tasks;

/** Bytes cross the thread boundary as Uint8Array; replies carry Buffers again. */
export const asBuffer = (u: Uint8Array): Buffer => (Buffer.isBuffer(u) ? u : Buffer.from(u.buffer, u.byteOffset, u.byteLength));

export function reviveReplies(replies: Reply[]): Reply[] {
  return replies.map((r) =>
    r.type === 'photo' ? { ...r, png: asBuffer(r.png) } : r.type === 'document' ? { ...r, content: asBuffer(r.content) } : r,
  );
}

/**
 * Buffers of a result that can move to the other thread without a copy: only those that own
 * their whole ArrayBuffer (a small Buffer may share Node's pool with unrelated bytes).
 */
export function transferables(value: unknown, out: ArrayBuffer[] = [], seen = new Set<unknown>()): ArrayBuffer[] {
  if (value === null || typeof value !== 'object' || seen.has(value)) return out;
  seen.add(value);
  if (ArrayBuffer.isView(value)) {
    const { buffer, byteOffset, byteLength } = value;
    if (buffer instanceof ArrayBuffer && byteOffset === 0 && byteLength === buffer.byteLength && !out.includes(buffer)) out.push(buffer);
    return out;
  }
  for (const v of Array.isArray(value) ? value : Object.values(value)) transferables(v, out, seen);
  return out;
}
