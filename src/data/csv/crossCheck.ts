import { DATA_ERRORS } from '../../messages.ts';
import type { ProblemLog } from './problems.ts';
import { COLUMNS, REVENUE_PERIODS, TIME_PERIODS, type Role } from './schema.ts';
import type { FileState } from './sinks.ts';
import type { CustomerTable } from './table.ts';

/** Every customer must appear in all four files, with every period. */
export function crossCheck(table: CustomerTable, states: Record<Role, FileState>, problems: ProblemLog): void {
  const market = states.market_file;
  if (!market.usable) return;
  const others = (['market_money', 'market_time', 'money'] as const).filter((r) => states[r].usable);
  for (const s of table.order()) {
    const id = table.ids[s];
    const marketLine = table.marketLine[s];
    for (const role of others) {
      const st = states[role];
      const seenLine = st.seen.lineOf(s);
      if (marketLine === 0) {
        if (seenLine > 0) problems.add(st.name, seenLine, DATA_ERRORS.missingInFile(id, market.name), COLUMNS.id);
        continue;
      }
      if (seenLine === 0) {
        problems.add(market.name, marketLine, DATA_ERRORS.missingInFile(id, st.name), COLUMNS.id);
        continue;
      }
      if (role === 'money' || st.seen.isTainted(s)) continue;
      const periods = role === 'market_money' ? REVENUE_PERIODS : TIME_PERIODS;
      const lines = role === 'market_money' ? table.revenueLine : table.minutesLine;
      periods.forEach((period, p) => {
        if (lines[p][s] === 0) problems.add(st.name, seenLine, DATA_ERRORS.missingPeriod(id, period), COLUMNS.period);
      });
    }
  }
}

