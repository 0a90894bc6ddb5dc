/**
 * One CSV record, read in place: sinks parse ids and numbers straight from the text and take a
 * string only of the fields they need as text. A string per field, and an array per row, were
 * much of the cost of reading a million-row file. Field i is textOf(i)[start(i), end(i)): ranges
 * of one text for a quoteless row, or whole strings for a row papaparse unquoted.
 */
export class CsvRecord {
  /** Number of fields. */
  length = 0;
  private text = '';
  /** Field i is text[bounds[2i], bounds[2i + 1]) unless `strings` holds the fields. */
  private bounds = new Int32Array(64);
  private strings: readonly string[] | null = null;

  textOf(i: number): string {
    return this.strings === null ? this.text : this.strings[i];
  }

  start(i: number): number {
    return this.strings === null ? this.bounds[2 * i] : 0;
  }

  end(i: number): number {
    return this.strings === null ? this.bounds[2 * i + 1] : this.strings[i].length;
  }

  field(i: number): string {
    return this.strings === null ? this.text.slice(this.bounds[2 * i], this.bounds[2 * i + 1]) : this.strings[i];
  }

  fields(): string[] {
    const out: string[] = new Array(this.length);
    for (let i = 0; i < this.length; i++) out[i] = this.field(i);
    return out;
  }

  /** Field i is empty once trimmed. */
  isBlank(i: number): boolean {
    const start = this.start(i);
    if (start === this.end(i)) return true;
    const c = this.textOf(i).charCodeAt(start);
    // 33..159 holds no character String.prototype.trim removes.
    if (c > 32 && c < 160) return false;
    return this.field(i).trim() === '';
  }

  /** Starts an empty record of ranges of `text`. */
  reset(text: string): void {
    this.text = text;
    this.strings = null;
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

  /** Holds fields given as strings (what papaparse returns). */
  setFields(fields: readonly string[]): void {
    this.strings = fields;
    this.length = fields.length;
  }
}
