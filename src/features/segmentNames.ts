import { SEGMENT_CODES, type SegmentCode } from '../core/segments.ts';
import { SEGMENT_TEXT } from '../messages.ts';
import { normalizeWords, segmentFromWords } from './intents.ts';

/**
 * A segment by its code or any of its Russian aliases, ignoring case, spaces and dashes; failing
 * that, by the words a manager would use («зона риска», «прибыльных»).
 */
export function resolveSegment(name: string): SegmentCode | null {
  const key = name.trim().toLowerCase().replace(/[\s-]+/g, '_');
  for (const code of SEGMENT_CODES) {
    if (code.replace('-', '_') === key || SEGMENT_TEXT[code].aliases.includes(key)) return code;
  }
  return segmentFromWords(normalizeWords(name));
}
