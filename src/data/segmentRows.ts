/**
 * Stored segment rows back into core shapes, for every engine. A set stores segments by their index
 * in its own code list, so adding a segment later never misreads older sets.
 */
import type { SegmentSet } from '../core/ports.ts';
import { SEGMENT_CODES, segmentsOfMask, type SegmentAggregate, type SegmentCode, type SegmentCombination, type SegmentMember, type SegmentTables } from '../core/segments.ts';

export interface StoredSet extends SegmentSet {
  /** The segment codes in the order of the stored indices and mask bits when the set was written. */
  codes: SegmentCode[];
  /** Popular categories by the index member rows store. */
  categories: string[];
}

/** Summary rows (segment index → numbers) in today's SEGMENT_CODES order; a segment the set predates reads as empty. */
/** Where the customers exactly at the at-risk threshold are kept: a segment index no code has. */
export const AT_THRESHOLD = -1;

/** The summary row of the customers at the threshold, written beside the segments' own. */
export function atThresholdSummary(t: SegmentTables): { size: number; share: number; meanRisk: number; profitAtStake: number } {
  let risk = 0;
  let stake = 0;
  for (const i of t.atThreshold) (risk += t.probability[i]), (stake += t.probability[i] * t.profit[i]);
  const size = t.atThreshold.length;
  return { size, share: t.population ? size / t.population : 0, meanRisk: size ? risk / size : 0, profitAtStake: stake };
}

/** Combination rows to store: mask 0 (in no segment) is left out, as the migration that added the table could not count it for older sets. */
export function combinationRows(t: SegmentTables): [mask: number, customers: number][] {
  const out: [number, number][] = [];
  t.combinations.forEach((customers, mask) => mask > 0 && customers > 0 && out.push([mask, customers]));
  return out;
}

/** Stored combination rows in today's segments; masks of a set written with other codes that name the same segments add up. */
export function combinationsOf(set: SegmentSet, stored: readonly (readonly [mask: number, customers: number])[]): SegmentCombination[] {
  const segmentsOf = maskReader((set as StoredSet).codes);
  const out = new Map<string, SegmentCombination>();
  for (const [mask, customers] of stored) {
    const segments = segmentsOf(mask);
    if (segments.length === 0) continue;
    const key = segments.join();
    const seen = out.get(key);
    if (seen) seen.customers += customers;
    else out.set(key, { segments, customers });
  }
  return [...out.values()];
}

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
