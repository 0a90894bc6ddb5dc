import type { FileProblem } from '../../core/errors.ts';
import { DATA_ERRORS } from '../../messages.ts';

/**
 * Collects every problem of an ingest. A badly broken million-row file would otherwise
 * produce a million problems, so each file keeps the first `maxPerFile` and a count of the rest.
 */
export class ProblemLog {
  private readonly kept: FileProblem[] = [];
  private readonly perFile = new Map<string, number>();
  private readonly fileOrder = new Map<string, number>();
  /** Asked once per row while streaming: a field, not a sum over files. */
  private total = 0;

  /** `rank` orders files in the final list (lower first); ties keep first-seen order. */
  constructor(
    private readonly maxPerFile = 1000,
    private readonly rank: (file: string) => number = () => 0,
  ) {}

  add(file: string, line: number, message: string, column?: string): void {
    if (!this.fileOrder.has(file)) this.fileOrder.set(file, this.fileOrder.size);
    this.total++;
    const n = (this.perFile.get(file) ?? 0) + 1;
    this.perFile.set(file, n);
    if (n > this.maxPerFile) return;
    this.kept.push(column === undefined ? { file, line, message } : { file, line, column, message });
  }

  get count(): number {
    return this.total;
  }

  countFor(file: string): number {
    return this.perFile.get(file) ?? 0;
  }

  /** Problems ordered by file, then line, with a «и ещё N» entry per truncated file. */
  list(): FileProblem[] {
    const out = this.kept.slice();
    for (const [file, n] of this.perFile) {
      if (n > this.maxPerFile) out.push({ file, line: Number.MAX_SAFE_INTEGER, message: DATA_ERRORS.moreProblems(n - this.maxPerFile) });
    }
    const order = (f: string) => this.fileOrder.get(f) ?? 0;
    out.sort((a, b) => this.rank(a.file) - this.rank(b.file) || order(a.file) - order(b.file) || a.line - b.line);
    return out.map((p) => (p.line === Number.MAX_SAFE_INTEGER ? { ...p, line: 0 } : p));
  }
}
