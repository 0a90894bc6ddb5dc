/**
 * One CSV record as ranges of a text, so that sinks parse ids and numbers in place and take a
 * string only of the fields they need as text: a string per field, and an array per row, were
 * much of the cost of reading a million-row file.
 */
export class CsvRecord {
  text = '';
  /** Number of fields. */
  length = 0;
  /** Field i is text[bounds[2i], bounds[2i + 1]). */
  private bounds = new Int32Array(64);

  start(i: number): number {
    return this.bounds[2 * i];
  }

  end(i: number): number {
    return this.bounds[2 * i + 1];
  }

  field(i: number): string {
    return this.text.slice(this.bounds[2 * i], this.bounds[2 * i + 1]);
  }

  fields(): string[] {
    const out: string[] = new Array(this.length);
    for (let i = 0; i < this.length; i++) out[i] = this.field(i);
    return out;
  }

  /** Field i is empty once trimmed. */
  isBlank(i: number): boolean {
    const start = this.bounds[2 * i];
    if (start === this.bounds[2 * i + 1]) return true;
    const c = this.text.charCodeAt(start);
    // 33..159 holds no character String.prototype.trim removes.
    if (c > 32 && c < 160) return false;
    return this.field(i).trim() === '';
  }

  /** Starts an empty record over `text`. */
  reset(text: string): void {
    this.text = text;
    this.length = 0;
  }

  add(start: number, end: number): void {
    const k = 2 * this.length;
    if (k === this.bounds.length) {
      const grown = new Int32Array(2 * k);
      grown.set(this.bounds);
      this.bounds = grown;
    }
    this.bounds[k] = start;
    this.bounds[k + 1] = end;
    this.length++;
  }

  /** Refills the record with fields given as strings (what papaparse returns). */
  setFields(fields: readonly string[]): void {
    this.reset(fields.join(''));
    let at = 0;
    for (const f of fields) this.add(at, (at += f.length));
  }
}
