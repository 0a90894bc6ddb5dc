/** Pushed after an upload and retrain: high-profit customers who just entered the high-risk band. */
import type { Entrants } from '../core/entrants.ts';
import { text, type Reply } from '../core/reply.ts';
import * as M from '../messages.ts';

/** One short message with a button to the «Прибыльные под угрозой» list; nothing when nobody entered. */
export function highRiskAlert(entrants: Entrants, units: M.MoneyUnits): Reply[] {
  if (entrants.count === 0) return [];
  return [text(M.ALERT.entrants(entrants, units), [[{ text: M.ALERT.listButton, data: { kind: 'segment', code: 'profitable' } }]])];
}
