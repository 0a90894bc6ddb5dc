/**
 * Stored segment rows back into core shapes, for every engine. A set stores segments by their index
 * in its own code list, so adding a segment later never misreads older sets.
 */
import type { SegmentSet } from '../core/ports.ts';
import { SEGMENT_CODES, segmentsOfMask, type SegmentAggregate, type SegmentCode, type SegmentMember } from '../core/segments.ts';

export interface StoredSet extends SegmentSet {
  /** The segment codes in the order of the stored indices and mask bits when the set was written. */
  codes: SegmentCode[];
  /** Popular categories by the index member rows store. */
  categories: string[];
}

/** Summary rows (segment index → numbers) in today's SEGMENT_CODES order; a segment the set predates reads as empty. */
export function aggregatesOf(set: SegmentSet, summaries: readonly (Omit<SegmentAggregate, 'code'> & { segment: number })[]): SegmentAggregate[] {
  const { codes } = set as StoredSet;
  const byCode = new Map(summaries.map(({ segment, ...a }) => [codes[segment], { code: codes[segment], ...a }]));
  return SEGMENT_CODES.map((code) => byCode.get(code) ?? { code, size: 0, share: 0, meanRisk: 0, profitAtStake: 0 });
}

export interface MemberRow {
  id: number;
  probability: number;
  profit: number;
  category: number;
  segments: number;
}

/** Member rows of one set as the core's SegmentMember (no join: the rows carry what a list shows). */
export function membersOf(set: SegmentSet, rows: readonly MemberRow[]): SegmentMember[] {
  const { codes, categories } = set as StoredSet;
  const segmentsOf = maskReader(codes);
  return rows.map(({ id, probability, profit, category, segments }) => ({
    customer: { id, profit, popularCategory: categories[category] ?? '' },
    probability,
    priority: probability * profit,
    segments: segmentsOf(segments),
  }));
}

const maskReaders = new Map<string, (mask: number) => SegmentCode[]>();

/** Mask → segment codes in today's order, one frozen array per distinct mask (a member row allocates none). */
function maskReader(codes: SegmentCode[]): (mask: number) => SegmentCode[] {
  const key = codes.join(',');
  let read = maskReaders.get(key);
  if (!read) {
    const table = Array.from({ length: 1 << codes.length }, (_, mask) =>
      Object.freeze(SEGMENT_CODES.filter((c) => segmentsOfMask(mask, codes).includes(c))) as SegmentCode[],
    );
    read = (mask) => table[mask] ?? [];
    maskReaders.set(key, read);
  }
  return read;
}
