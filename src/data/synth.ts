/**
 * Synthetic «В один клик» data sets for demos, tests and benchmarks: the same four files,
 * columns and quirks as the real export (CRLF; `;` and decimal commas in money.csv; the
 * «стандартт» and «предыдцщий_месяц» typos; periods in shuffled order; a few customers with
 * zero revenue; one revenue outlier), with distributions close to the real set. Ids start at
 * 100001, a range the real export does not use, so a demo id is never mistaken for a real customer.
 *
 * The label is drawn first («Снизилась» ≈ 38%), then a latent disengagement around it, then
 * every feature with the per-label means and spreads measured on the real data. The signal
 * sits where it sits in the real data — pages per visit, minutes on site, unpaid cart items,
 * promo share, 6-month marketing activity, categories per visit — and the latent's spread
 * (TAU) makes the classes overlap so that a regularized logistic regression reaches a
 * cross-validated ROC-AUC of about 0.9 (the real set: 0.90).
 *
 * Same seed → identical bytes. Files are written in batches through streams, so a million
 * customers never sit in memory.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Customer } from '../core/domain.ts';
import { Rng as Sfc32 } from '../ml/rng.ts';
import { readDatasetDir } from './csv/ingest.ts';

export interface SynthOptions {
  customers: number;
  seed: number;
  outDir: string;
}

/**
 * The period after a campaign: the same customers as `fromDir` (after cleaning), months rolled on
 * (last month's current revenue and minutes become the previous ones, tenure grows by 30 days,
 * profit is kept), a new label, and every other feature drawn for that label as in a fresh set.
 *
 * Label model, precisely: untreated, a customer declines with probability P₀ = 0.7 if their label
 * in `fromDir` is «Снизилась», 0.2 if «Прежний уровень» (the base rate without a label). A treated
 * customer declines with P₀ · (1 − effect): the campaign saves a share `effect` of those who would
 * have declined (a relative risk reduction). Control customers and everyone else keep P₀. One
 * uniform draw per customer decides the label under either probability, so effect 0 writes
 * exactly the files no campaign would.
 */
export interface NextPeriod {
  fromDir: string;
  plan: { treated: readonly number[]; control: readonly number[] };
  /** Relative reduction of a treated customer's decline probability, in [0, 1]. */
  effect: number;
}

export interface NextPeriodSynthOptions {
  seed: number;
  outDir: string;
  nextPeriod: NextPeriod;
}

/** What the next period's labels were drawn from: the known effect, in the terms results report. */
export interface NextPeriodExpectation {
  /** Mean decline probability of the treated customers, after the effect. */
  treatedDecline: number;
  /** Mean decline probability of the control customers. */
  controlDecline: number;
  /** controlDecline − treatedDecline: what an unbiased comparison of these two groups estimates. */
  uplift: number;
}

export interface SynthSummary {
  outDir: string;
  customers: number;
  /** Customers labelled «Снизилась». */
  positives: number;
  zeroRevenueIds: number[];
  outlierId: number | null;
  files: string[];
  /** Next-period mode only. */
  expected?: NextPeriodExpectation;
}

export const FIRST_ID = 100001;
/**
 * Spread of the latent disengagement around the label (0 or 1). Every behavioural feature
 * moves with it by its real per-label shift, so features are correlated within a class as in
 * the real data; the larger TAU, the more the classes overlap. Tuned for ROC-AUC ≈ 0.9.
 */
const TAU = 0.42;
const POSITIVE_RATE = 498 / 1300;
const ZERO_REVENUE_RATE = 3 / 1300;
const STANDARD_TYPO_RATE = 10 / 924;
const BATCH = 5000;

/** The project's seeded sfc32 source, with the draws the generator needs. */
class Rng {
  private readonly source: Sfc32;
  private spare: number | null = null;

  constructor(seed: number) {
    this.source = new Sfc32(seed);
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.source.next();
  }

  normal(mean = 0, sd = 1): number {
    if (this.spare !== null) {
      const z = this.spare;
      this.spare = null;
      return mean + sd * z;
    }
    let u = 0;
    while (u === 0) u = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    const theta = 2 * Math.PI * this.next();
    this.spare = r * Math.sin(theta);
    return mean + sd * r * Math.cos(theta);
  }

  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  pick<T>(items: readonly T[], weights: readonly number[]): T {
    let total = 0;
    for (const w of weights) total += w;
    let u = this.next() * total;
    for (let i = 0; i < items.length; i++) {
      u -= weights[i];
      if (u < 0) return items[i];
    }
    return items[items.length - 1];
  }

  shuffle<T>(a: T[]): T[] {
    for (let i = a.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [a[i], a[j]] = [a[j], a[i]];
    }
    return a;
  }
}

const clamp = (v: number, lo: number, hi: number) => (v < lo ? lo : v > hi ? hi : v);
const roundTo = (v: number, digits: number) => {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
};

/**
 * Appends CSV bytes to a growing buffer without building strings: the Russian words are
 * encoded once, numbers are written digit by digit. Each `take()` hands the bytes over to a
 * stream and starts a fresh buffer.
 */
class ByteWriter {
  private buf = Buffer.allocUnsafe(1 << 16);
  private len = 0;

  private ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.len + n));
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
  }

  bytes(b: Uint8Array): this {
    const n = b.length;
    this.ensure(n);
    const buf = this.buf;
    let at = this.len;
    for (let i = 0; i < n; i++) buf[at++] = b[i];
    this.len = at;
    return this;
  }

  byte(c: number): this {
    this.ensure(1);
    this.buf[this.len++] = c;
    return this;
  }

  /** A non-negative integer. */
  uint(n: number): this {
    this.ensure(16);
    let digits = 1;
    for (let t = n; t >= 10; t = Math.floor(t / 10)) digits++;
    const buf = this.buf;
    let at = this.len + digits;
    this.len = at;
    do {
      buf[--at] = 48 + (n % 10);
      n = Math.floor(n / 10);
    } while (n > 0);
    return this;
  }

  /**
   * A non-negative value already rounded to `digits` (1 or 2) decimals, as Python prints it:
   * shortest form, with «.0» kept for whole numbers in `python` style (4472.0, 0.75, 3.4) and
   * dropped in `comma` style, which uses a decimal comma (5, 1,4, 4,16).
   */
  decimal(v: number, digits: 1 | 2, style: 'python' | 'comma'): this {
    const scale = digits === 1 ? 10 : 100;
    const scaled = Math.round(v * scale);
    let frac = scaled % scale;
    this.uint((scaled - frac) / scale);
    const mark = style === 'comma' ? 44 : 46;
    if (frac === 0) return style === 'python' ? this.byte(mark).byte(48) : this;
    this.byte(mark);
    if (digits === 2) {
      if (frac % 10 === 0) frac /= 10;
      else if (frac < 10) this.byte(48);
    }
    return this.uint(frac);
  }

  take(): Buffer {
    const out = this.buf.subarray(0, this.len);
    this.buf = Buffer.allocUnsafe(this.buf.length);
    this.len = 0;
    return out;
  }
}

const utf8 = (s: string) => Buffer.from(s, 'utf8');
const COMMA = 44;
const SEMICOLON = 59;
const CRLF = utf8('\r\n');

const CATEGORIES = [
  'Товары для детей',
  'Домашний текстиль',
  'Косметика и аксесуары',
  'Техника для красоты и здоровья',
  'Кухонная посуда',
  'Мелкая бытовая техника и электроника',
] as const;
/** Real category counts among «Прежний уровень» and «Снизилась» customers. */
const CATEGORY_WEIGHTS = [
  [184, 149, 118, 132, 72, 147],
  [146, 102, 105, 52, 66, 27],
] as const;

const MARKET_HEADER =
  'id,Покупательская активность,Тип сервиса,Разрешить сообщать,Маркет_актив_6_мес,Маркет_актив_тек_мес,Длительность,Акционные_покупки,Популярная_категория,Средний_просмотр_категорий_за_визит,Неоплаченные_продукты_штук_квартал,Ошибка_сервиса,Страниц_за_визит';
const REVENUE_PERIODS = ['препредыдущий_месяц', 'предыдущий_месяц', 'текущий_месяц'];
/** The real market_time.csv spells the previous month «предыдцщий_месяц» on every row. */
const TIME_PERIODS = ['предыдцщий_месяц', 'текущий_месяц'];

interface Special {
  zero: Set<number>;
  outlier: number;
}

/** Indexes of the zero-revenue customers and the outlier, drawn up front from their own stream. */
function chooseSpecial(n: number, seed: number): Special {
  const rng = new Rng(seed ^ 0x5eed);
  const zeroCount = n >= 20 ? Math.max(1, Math.round(n * ZERO_REVENUE_RATE)) : 0;
  const zero = new Set<number>();
  while (zero.size < zeroCount) zero.add(rng.int(0, n - 1));
  let outlier = -1;
  if (n >= 20) do outlier = rng.int(0, n - 1); while (zero.has(outlier));
  return { zero, outlier };
}

/** Normal draw whose total spread stays `sd` once the latent part (shift · τ) is taken out. */
const residualSd = (sd: number, shift: number) => Math.sqrt(Math.max(sd * sd - shift * shift * TAU * TAU, 0.01));

/** A customer's previous period, carried into the next one. */
interface History {
  revenuePrev: number;
  revenueCurrent: number;
  minutesCurrent: number;
  tenureDays: number;
  profit: number;
}

/** Next-period mode: the label is given and the months roll on from `history`. */
interface NextDraw {
  label: 0 | 1;
  history: History;
}

/**
 * Draws one customer and appends its rows to the four files; true when labelled «Снизилась».
 * In next-period mode the draws are made as usual and then overridden by the history, so the
 * fresh-set stream (and the committed demo set) stays byte for byte what it was.
 */
function writeCustomer(rng: Rng, id: number, kind: 'normal' | 'zero' | 'outlier', out: Writers, next?: NextDraw): boolean {
  const y = next ? next.label : kind === 'normal' ? (rng.next() < POSITIVE_RATE ? 1 : 0) : 1;
  // Latent disengagement: centred on the label, shared by all behavioural features.
  const e = y + TAU * rng.normal();

  const disengaged = e > 0.5 ? 1 : 0;
  const premium = rng.next() < (disengaged ? 0.34 : 0.26);
  const service = premium ? 'премиум' : rng.next() < STANDARD_TYPO_RATE ? 'стандартт' : 'стандарт';
  const notify = rng.next() < 0.74;
  const market6 = roundTo(clamp(rng.normal(4.57 - 0.83 * e, residualSd(0.95, 0.83)), 0.9, 6.6), 1);
  const marketNow = rng.pick([3, 4, 5], [0.24, 0.51, 0.25]);
  let tenure = rng.int(110, 1079);
  const highPromo = rng.next() < 0.005 + 0.5 / (1 + Math.exp(-8 * (e - 0.9)));
  const promo = highPromo ? roundTo(clamp(rng.normal(0.94, 0.03), 0.89, 0.99), 2) : roundTo(clamp(rng.normal(0.23, 0.07), 0, 0.47), 2);
  const category = rng.pick(CATEGORIES, CATEGORY_WEIGHTS[disengaged]);
  const categories = Math.round(clamp(rng.normal(3.67 - 1.04 * e, residualSd(1.25, 1.04)), 1, 6));
  const unpaid = Math.round(clamp(rng.normal(2.3 + 1.43 * e, residualSd(1.9, 1.43)), 0, 10));
  const errors = Math.round(clamp(rng.normal(4.33 - 0.39 * e, 1.95), 0, 9));
  const pages = Math.round(clamp(rng.normal(9.8 - 4.23 * e, residualSd(3.4, 4.23)), 1, 20));

  const prevNoise = rng.normal(0, residualSd(3.4, 4.08));
  let minutesPrev = Math.round(clamp(15.03 - 4.08 * e + prevNoise, 5, 23));
  const nowSd = Math.sqrt(Math.max(residualSd(4.0, 3.65) ** 2 - 0.25 * residualSd(3.4, 4.08) ** 2, 0.01));
  const minutesNow = Math.round(clamp(14.6 - 3.65 * e + 0.5 * prevNoise + rng.normal(0, nowSd), 4, 23));

  // A customer-level spending level shared by the three months.
  const level = rng.normal(0, 1);
  let rev0 = roundTo(clamp(4933 - 200 * e + 260 * level + rng.normal(0, 230), 4098, 5663), 1);
  let rev1 = roundTo(clamp(4940 + 450 * level + rng.normal(0, 560), 2890, 6870), 1);
  let rev2 = roundTo(clamp(5200 + 100 * e + 520 * level + rng.normal(0, 720), 2750, 7800), 1);
  if (kind === 'zero') {
    rev0 = 0;
    rev1 = 0;
  } else if (kind === 'outlier') {
    rev2 = roundTo(rev2 * (18 + 4 * rng.next()), 1);
  }
  let profit = roundTo(clamp(rng.normal(4.0, 1.0), 0.86, 7.43), 2);
  if (next) {
    const h = next.history;
    tenure = h.tenureDays + 30;
    minutesPrev = h.minutesCurrent;
    rev0 = h.revenuePrev;
    rev1 = h.revenueCurrent;
    // A customer whose activity fell spends less this month, a steady one a little more.
    rev2 = roundTo(clamp(h.revenueCurrent * (y ? 0.92 : 1.02) + rng.normal(0, 250), 2750, 7800), 1);
    profit = h.profit;
  }

  const { market, money, time, profit: prof } = out;
  market.uint(id).byte(COMMA).bytes(y ? WORDS.down : WORDS.same).byte(COMMA).bytes(WORDS.service[service]).byte(COMMA);
  market.bytes(notify ? WORDS.yes : WORDS.no).byte(COMMA).decimal(market6, 1, 'python').byte(COMMA).uint(marketNow).byte(COMMA);
  market.uint(tenure).byte(COMMA).decimal(promo, 2, 'python').byte(COMMA).bytes(WORDS.category[category]).byte(COMMA);
  market.uint(categories).byte(COMMA).uint(unpaid).byte(COMMA).uint(errors).byte(COMMA).uint(pages).bytes(CRLF);
  const revenues = [rev0, rev1, rev2];
  for (const p of rng.shuffle([0, 1, 2])) money.uint(id).byte(COMMA).bytes(WORDS.revenuePeriod[p]).byte(COMMA).decimal(revenues[p], 1, 'python').bytes(CRLF);
  const minutes = [minutesPrev, minutesNow];
  for (const p of rng.shuffle([0, 1])) time.uint(id).byte(COMMA).bytes(WORDS.timePeriod[p]).byte(COMMA).uint(minutes[p]).bytes(CRLF);
  prof.uint(id).byte(SEMICOLON).decimal(profit, 2, 'comma').bytes(CRLF);
  return y === 1;
}

interface Writers {
  market: ByteWriter;
  money: ByteWriter;
  time: ByteWriter;
  profit: ByteWriter;
}

/** The words of the files, encoded once. */
const WORDS = {
  down: utf8('Снизилась'),
  same: utf8('Прежний уровень'),
  yes: utf8('да'),
  no: utf8('нет'),
  service: { премиум: utf8('премиум'), стандарт: utf8('стандарт'), стандартт: utf8('стандартт') } as Record<string, Buffer>,
  category: Object.fromEntries(CATEGORIES.map((c) => [c, utf8(c)])) as Record<string, Buffer>,
  revenuePeriod: REVENUE_PERIODS.map(utf8),
  timePeriod: TIME_PERIODS.map(utf8),
};

function write(stream: WriteStream, data: string | Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (e: Error) => reject(e);
    stream.once('error', onError);
    const ok = stream.write(data);
    const done = () => {
      stream.off('error', onError);
      resolve();
    };
    if (ok) done();
    else stream.once('drain', done);
  });
}

function close(stream: WriteStream): Promise<void> {
  return new Promise((resolve, reject) => {
    stream.once('error', reject);
    stream.end(() => resolve());
  });
}

const FILE_NAMES = ['market_file.csv', 'market_money.csv', 'market_time.csv', 'money.csv'];

/** Streams the four files: `draw(i, out)` appends customer i's rows and says whether it declined. */
async function writeFiles(outDir: string, n: number, draw: (i: number, out: Writers) => boolean): Promise<{ positives: number; files: string[] }> {
  await mkdir(outDir, { recursive: true });
  const streams = FILE_NAMES.map((f) => createWriteStream(path.join(outDir, f), { highWaterMark: 1 << 20 }));
  const [market, money, time, profit] = streams;
  let positives = 0;
  try {
    await Promise.all([
      write(market, MARKET_HEADER + '\r\n'),
      write(money, 'id,Период,Выручка\r\n'),
      write(time, 'id,Период,минут\r\n'),
      write(profit, 'id;Прибыль\r\n'),
    ]);
    const out: Writers = { market: new ByteWriter(), money: new ByteWriter(), time: new ByteWriter(), profit: new ByteWriter() };
    for (let start = 0; start < n; start += BATCH) {
      for (let i = start; i < Math.min(n, start + BATCH); i++) if (draw(i, out)) positives++;
      await Promise.all([write(market, out.market.take()), write(money, out.money.take()), write(time, out.time.take()), write(profit, out.profit.take())]);
    }
  } catch (e) {
    for (const s of streams) s.destroy();
    throw e;
  }
  await Promise.all(streams.map(close));
  return { positives, files: FILE_NAMES.map((f) => path.join(outDir, f)) };
}

/**
 * Writes market_file.csv, market_money.csv, market_time.csv and money.csv into `outDir`: a fresh
 * set of `customers`, or with `nextPeriod` the period after a campaign (see NextPeriod).
 */
export async function synthesize(opts: SynthOptions | NextPeriodSynthOptions): Promise<SynthSummary> {
  if (!Number.isSafeInteger(opts.seed)) throw new RangeError(`seed must be an integer, got ${opts.seed}`);
  if ('nextPeriod' in opts) return synthesizeNext(opts);
  const n = opts.customers;
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`customers must be a positive integer, got ${n}`);
  const special = chooseSpecial(n, opts.seed);
  const rng = new Rng(opts.seed);
  const { positives, files } = await writeFiles(opts.outDir, n, (i, out) => {
    const kind = special.zero.has(i) ? 'zero' : i === special.outlier ? 'outlier' : 'normal';
    return writeCustomer(rng, FIRST_ID + i, kind, out);
  });
  return {
    outDir: opts.outDir,
    customers: n,
    positives,
    zeroRevenueIds: [...special.zero].sort((a, b) => a - b).map((i) => FIRST_ID + i),
    outlierId: special.outlier >= 0 ? FIRST_ID + special.outlier : null,
    files,
  };
}

/** Untreated decline probability next period, from this period's label (see NextPeriod). */
const STAYS_DECLINED = 0.7;
const STARTS_DECLINING = 0.2;

async function synthesizeNext(opts: NextPeriodSynthOptions): Promise<SynthSummary> {
  const { fromDir, plan, effect } = opts.nextPeriod;
  if (!(effect >= 0 && effect <= 1)) throw new RangeError(`effect must be in [0, 1], got ${effect}`);
  const previous = (await readDatasetDir(fromDir)).customers;
  const known = new Set(previous.map((c) => c.id));
  const treated = new Set(plan.treated);
  for (const id of [...plan.treated, ...plan.control]) {
    if (!known.has(id)) throw new RangeError(`customer ${id} of the plan is not in ${fromDir}`);
  }
  for (const id of plan.control) if (treated.has(id)) throw new RangeError(`customer ${id} is both treated and control`);

  const untreated = (label: 0 | 1 | null) => (label === 1 ? STAYS_DECLINED : label === 0 ? STARTS_DECLINING : POSITIVE_RATE);
  const probability = (c: Customer) => untreated(c.label) * (treated.has(c.id) ? 1 - effect : 1);
  // Labels come from their own stream, one draw per customer, so features never shift them.
  const labelRng = new Rng(opts.seed ^ 0x1abe1);
  const labels = previous.map((c) => (labelRng.next() < probability(c) ? 1 : 0) as 0 | 1);
  const rng = new Rng(opts.seed);
  const { positives, files } = await writeFiles(opts.outDir, previous.length, (i, out) => {
    const c = previous[i];
    return writeCustomer(rng, c.id, 'normal', out, { label: labels[i], history: c });
  });

  const byId = new Map(previous.map((c) => [c.id, c]));
  const meanP = (ids: readonly number[]) => (ids.length ? ids.reduce((sum, id) => sum + probability(byId.get(id)!), 0) / ids.length : NaN);
  const treatedDecline = meanP(plan.treated);
  const controlDecline = meanP(plan.control);
  return {
    outDir: opts.outDir,
    customers: previous.length,
    positives,
    zeroRevenueIds: [],
    outlierId: null,
    files,
    expected: { treatedDecline, controlDecline, uplift: controlDecline - treatedDecline },
  };
}
