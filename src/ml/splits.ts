import { Rng, deriveSeed } from './rng.ts';

export interface Split {
  train: Uint32Array;
  test: Uint32Array;
  /** Which repetition of the k-fold this split belongs to (0 for a single k-fold). */
  repeat: number;
  fold: number;
}

function classIndices(y: ArrayLike<number>): number[][] {
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < y.length; i++) {
    const c = y[i];
    let list = byClass.get(c);
    if (!list) byClass.set(c, (list = []));
    list.push(i);
  }
  return [...byClass.keys()].sort((a, b) => a - b).map((c) => byClass.get(c)!);
}

/**
 * Seeded stratified k-fold: each class is shuffled and dealt round-robin over the folds, so every fold
 * holds the class ratio to within one sample. With `groups`, rows sharing a group id are dealt as one
 * unit (stratified by the unit's majority label) and so never straddle train and test.
 */
export function stratifiedKFold(y: ArrayLike<number>, folds: number, seed: number, repeat = 0, groups?: ArrayLike<number>): Split[] {
  if (!Number.isInteger(folds) || folds < 2) throw new Error(`folds must be an integer ≥ 2, got ${folds}`);
  const units = unitsOf(y, groups);
  const classes = classIndices(units.label);
  for (const members of classes) {
    if (members.length < folds) throw new Error(`a class has ${members.length} samples, fewer than ${folds} folds`);
  }
  const rng = new Rng(seed);
  const foldOfUnit = new Int32Array(units.label.length);
  let offset = 0;
  for (const members of classes) {
    const shuffled = rng.shuffle(members.slice());
    // Continuing the deal where the previous class stopped keeps fold sizes within one of each other.
    shuffled.forEach((u, k) => (foldOfUnit[u] = (k + offset) % folds));
    offset = (offset + shuffled.length) % folds;
  }
  const splits: Split[] = [];
  for (let f = 0; f < folds; f++) {
    const test: number[] = [];
    const train: number[] = [];
    for (let i = 0; i < y.length; i++) (foldOfUnit[units.unitOf[i]] === f ? test : train).push(i);
    splits.push({ train: Uint32Array.from(train), test: Uint32Array.from(test), repeat, fold: f });
  }
  return splits;
}

/** Rows grouped into dealing units: one per row, or one per group id, labelled by majority. */
function unitsOf(y: ArrayLike<number>, groups?: ArrayLike<number>): { unitOf: Int32Array; label: Uint8Array } {
  if (!groups) return { unitOf: Int32Array.from({ length: y.length }, (_, i) => i), label: Uint8Array.from(y as ArrayLike<number>) };
  if (groups.length !== y.length) throw new Error(`groups (${groups.length}) and labels (${y.length}) differ in length`);
  const idOf = new Map<number, number>();
  const unitOf = new Int32Array(y.length);
  const pos: number[] = [];
  const cnt: number[] = [];
  for (let i = 0; i < y.length; i++) {
    let u = idOf.get(groups[i]);
    if (u === undefined) {
      idOf.set(groups[i], (u = pos.length));
      pos.push(0);
      cnt.push(0);
    }
    unitOf[i] = u;
    pos[u] += y[i];
    cnt[u]++;
  }
  return { unitOf, label: Uint8Array.from(pos, (p, u) => (2 * p >= cnt[u] ? 1 : 0)) };
}

/** `repeats` independent stratified k-folds, each with its own derived seed. */
export function repeatedStratifiedKFold(y: ArrayLike<number>, folds: number, repeats: number, seed: number, groups?: ArrayLike<number>): Split[] {
  if (!Number.isInteger(repeats) || repeats < 1) throw new Error(`repeats must be an integer ≥ 1, got ${repeats}`);
  const out: Split[] = [];
  for (let r = 0; r < repeats; r++) out.push(...stratifiedKFold(y, folds, deriveSeed(seed, r), r, groups));
  return out;
}

/** Seeded stratified subsample of at most `size` indices, in ascending order. */
export function stratifiedSample(y: ArrayLike<number>, size: number, seed: number): Uint32Array {
  if (size >= y.length) return Uint32Array.from({ length: y.length }, (_, i) => i);
  const rng = new Rng(seed);
  const picked: number[] = [];
  for (const members of classIndices(y)) {
    const take = Math.max(1, Math.round((members.length / y.length) * size));
    picked.push(...rng.shuffle(members.slice()).slice(0, take));
  }
  return Uint32Array.from(picked.sort((a, b) => a - b));
}

/**
 * One seeded stratified train/test partition (scikit-learn's train_test_split with stratify): each class
 * is shuffled and its first round(share · size) rows go to the test part. Indices ascend within each part.
 */
export function stratifiedHoldout(y: ArrayLike<number>, testShare: number, seed: number): { train: Uint32Array; test: Uint32Array } {
  if (!(testShare > 0 && testShare < 1)) throw new Error(`testShare must be in (0, 1), got ${testShare}`);
  const rng = new Rng(seed);
  const inTest = new Uint8Array(y.length);
  for (const members of classIndices(y)) {
    for (const i of rng.shuffle(members.slice()).slice(0, Math.round(members.length * testShare))) inTest[i] = 1;
  }
  const train: number[] = [];
  const test: number[] = [];
  for (let i = 0; i < y.length; i++) (inTest[i] ? test : train).push(i);
  return { train: Uint32Array.from(train), test: Uint32Array.from(test) };
}
