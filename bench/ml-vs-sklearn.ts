/**
 * Unseen-customer comparison with scikit-learn (issue 15): repeated random stratified 75/25 splits of
 * the real customers; on each, our search and scikit-learn's GridSearchCV (bench/ml-sklearn.py) train on
 * the 75 % and score the 25 %. Quality is measured only on test customers without an exact twin in the
 * training part — a twin would hand a memorising model its own label. Both sides are scored by the same
 * code here, and every difference is paired by split.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { brier, rocAuc, type ColumnSpec, type Frame } from '../src/ml/index.ts';
import { duplicateGroups, takeFrameRows } from '../src/ml/frame.ts';
import { mean, std } from '../src/ml/metrics.ts';
import { deriveSeed } from '../src/ml/rng.ts';
import { stratifiedHoldout } from '../src/ml/splits.ts';

export const PYTHON = '/usr/bin/python3';
const SCRIPT = path.resolve(import.meta.dirname, 'ml-sklearn.py');

export interface Contender {
  name: string;
  /**
   * Trains on the given rows and returns the test-row probabilities. `trainCpuMs`, when given, is the
   * CPU time of the training alone (the comparison's time column); otherwise the whole call is timed.
   */
  fitPredict(Xtrain: Frame, ytrain: Uint8Array, Xtest: Frame): { proba: Float64Array; trainCpuMs?: number; info?: Record<string, unknown> };
}

interface PeerFamily {
  cvAuc: number;
  params: Record<string, unknown>;
  proba: number[];
  cpuMs: number;
  wallMs: number;
  candidates: number;
}

interface PeerSplit {
  families: Record<string, PeerFamily>;
  choice: string;
  cpuMs: number;
  wallMs: number;
}

interface Scored {
  auc: number;
  brier: number;
  cpuMs: number;
  wallMs: number;
}

export interface SplitResult {
  split: number;
  fresh: number;
  test: number;
  peerChoice: string;
  peer: Scored;
  peerFamilies: Record<string, Omit<Scored, 'cpuMs' | 'wallMs'>>;
  ours: Record<string, Scored & { info?: Record<string, unknown> }>;
}

export interface Summary {
  mean: number;
  sd: number;
}

const summary = (xs: number[]): Summary => ({ mean: mean(xs), sd: std(xs) });

export interface Comparison {
  sklearn: string;
  splits: number;
  testShare: number;
  seed: number;
  perSplit: SplitResult[];
  peer: { auc: Summary; brier: Summary; cpuMs: Summary; wallMs: Summary; choices: Record<string, number> };
  peerFamilies: Record<string, { auc: Summary; brier: Summary }>;
  bestPeerFamilyBrier: { family: string; brier: number };
  ours: Record<string, { auc: Summary; brier: Summary; cpuMs: Summary; wallMs: Summary; aucMinusPeer: Summary; cpuRatio: number }>;
}

export function cpuNow(): number {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
}

function runPeer(input: string, reuse: boolean): { sklearn: string; splits: PeerSplit[] } {
  const key = createHash('sha1').update(input).update(readFileSync(SCRIPT)).digest('hex').slice(0, 16);
  const dir = path.join(os.tmpdir(), 'retention-bench-ml');
  mkdirSync(dir, { recursive: true });
  const src = path.join(dir, `in-${key}.json`);
  const dst = path.join(dir, `out-${key}.json`);
  if (!(reuse && existsSync(dst))) {
    writeFileSync(src, input);
    // One thread everywhere, like our search: a BLAS pool spinning on the second core would inflate CPU time.
    const env = { ...process.env, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1', MKL_NUM_THREADS: '1' };
    const r = spawnSync(PYTHON, [SCRIPT, src, dst], { stdio: ['ignore', 'inherit', 'inherit'], env });
    if (r.error) throw new Error(`${PYTHON} failed to start: ${r.error.message} (apt-get install -y python3-sklearn)`);
    if (r.status !== 0) throw new Error(`bench/ml-sklearn.py exited with ${r.status}`);
  }
  return JSON.parse(readFileSync(dst, 'utf8'));
}

/** Test rows without an exact twin (same value on every schema column) in the training part. */
function freshRows(schema: readonly ColumnSpec[], X: Frame, train: Uint32Array, test: Uint32Array): Uint32Array {
  const group = duplicateGroups(schema, X);
  const seen = new Set<number>();
  for (const i of train) seen.add(group[i]);
  return Uint32Array.from([...test.keys()].filter((k) => !seen.has(group[test[k]])));
}

function score(y: Uint8Array, p: ArrayLike<number>, pick: Uint32Array): { auc: number; brier: number } {
  const yy = Uint8Array.from(pick, (k) => y[k]);
  const pp = Float64Array.from(pick, (k) => p[k]);
  return { auc: rocAuc(yy, pp), brier: brier(yy, pp) };
}

export function compareWithSklearn(
  schema: readonly ColumnSpec[],
  X: Frame,
  y: Uint8Array,
  contenders: readonly Contender[],
  opts: { splits?: number; testShare?: number; seed?: number; reusePeer?: boolean; log?: (s: string) => void } = {},
): Comparison {
  const nSplits = opts.splits ?? 8;
  const testShare = opts.testShare ?? 0.25;
  const seed = opts.seed ?? 2024;
  const log = opts.log ?? (() => {});
  const parts = Array.from({ length: nSplits }, (_, s) => stratifiedHoldout(y, testShare, deriveSeed(seed, s)));
  const values: Record<string, unknown[]> = {};
  for (const c of schema) values[c.name] = Array.from(X.columns[c.name] as ArrayLike<unknown>);
  const input = JSON.stringify({
    columns: schema,
    values,
    y: Array.from(y),
    splits: parts.map((p) => ({ train: Array.from(p.train), test: Array.from(p.test) })),
  });
  log(`scikit-learn: GridSearchCV on ${nSplits} splits…`);
  const peerRun = runPeer(input, opts.reusePeer ?? false);

  const perSplit: SplitResult[] = parts.map((part, s) => {
    const pick = freshRows(schema, X, part.train, part.test);
    const yTest = Uint8Array.from(part.test, (i) => y[i]);
    const ps = peerRun.splits[s];
    const peerFamilies = Object.fromEntries(Object.entries(ps.families).map(([k, f]) => [k, score(yTest, f.proba, pick)]));
    const Xtr = takeFrameRows(X, part.train);
    const ytr = Uint8Array.from(part.train, (i) => y[i]);
    const Xte = takeFrameRows(X, part.test);
    const ours: SplitResult['ours'] = {};
    for (const c of contenders) {
      const c0 = cpuNow();
      const w0 = performance.now();
      const { proba, trainCpuMs, info } = c.fitPredict(Xtr, ytr, Xte);
      const wallMs = performance.now() - w0;
      const cpuMs = trainCpuMs ?? cpuNow() - c0;
      ours[c.name] = { ...score(yTest, proba, pick), cpuMs, wallMs, info };
    }
    const r: SplitResult = {
      split: s,
      fresh: pick.length,
      test: part.test.length,
      peerChoice: ps.choice,
      peer: { ...peerFamilies[ps.choice], cpuMs: ps.cpuMs, wallMs: ps.wallMs },
      peerFamilies,
      ours,
    };
    log(
      `split ${s}: peer ${ps.choice} ${r.peer.auc.toFixed(4)} | ` +
        contenders.map((c) => `${c.name} ${ours[c.name].auc.toFixed(4)} (${(ours[c.name].cpuMs / 1000).toFixed(1)} s)`).join(' | '),
    );
    return r;
  });

  const famNames = Object.keys(perSplit[0].peerFamilies);
  const peerFamilies = Object.fromEntries(
    famNames.map((f) => [f, { auc: summary(perSplit.map((r) => r.peerFamilies[f].auc)), brier: summary(perSplit.map((r) => r.peerFamilies[f].brier)) }]),
  );
  const bestFam = famNames.reduce((a, b) => (peerFamilies[b].brier.mean < peerFamilies[a].brier.mean ? b : a));
  const choices: Record<string, number> = {};
  for (const r of perSplit) choices[r.peerChoice] = (choices[r.peerChoice] ?? 0) + 1;
  const peerCpu = perSplit.map((r) => r.peer.cpuMs);
  return {
    sklearn: peerRun.sklearn,
    splits: nSplits,
    testShare,
    seed,
    perSplit,
    peer: {
      auc: summary(perSplit.map((r) => r.peer.auc)),
      brier: summary(perSplit.map((r) => r.peer.brier)),
      cpuMs: summary(peerCpu),
      wallMs: summary(perSplit.map((r) => r.peer.wallMs)),
      choices,
    },
    peerFamilies,
    bestPeerFamilyBrier: { family: bestFam, brier: peerFamilies[bestFam].brier.mean },
    ours: Object.fromEntries(
      contenders.map((c) => {
        const rows = perSplit.map((r) => r.ours[c.name]);
        return [
          c.name,
          {
            auc: summary(rows.map((o) => o.auc)),
            brier: summary(rows.map((o) => o.brier)),
            cpuMs: summary(rows.map((o) => o.cpuMs)),
            wallMs: summary(rows.map((o) => o.wallMs)),
            aucMinusPeer: summary(perSplit.map((r) => r.ours[c.name].auc - r.peer.auc)),
            cpuRatio: mean(rows.map((o) => o.cpuMs)) / mean(peerCpu),
          },
        ];
      }),
    ),
  };
}

const pm = (s: Summary, d = 4) => `${s.mean.toFixed(d)} ± ${s.sd.toFixed(d)}`;

/** Markdown table of a comparison: means ± SD over the splits. */
export function comparisonTable(c: Comparison): string {
  const lines = [
    `${c.splits} random stratified ${Math.round((1 - c.testShare) * 100)}/${Math.round(c.testShare * 100)} splits; ROC-AUC and Brier on test customers without an exact twin in the training part (mean ± SD over splits); CPU time of the whole training, one core.`,
    '',
    '| model | ROC-AUC | paired Δ vs GridSearchCV choice | Brier | training CPU s | × GridSearchCV time |',
    '|---|---|---|---|---|---|',
  ];
  for (const [name, o] of Object.entries(c.ours)) {
    lines.push(`| ours: ${name} | ${pm(o.auc)} | ${o.aucMinusPeer.mean >= 0 ? '+' : ''}${pm(o.aucMinusPeer)} | ${pm(o.brier)} | ${pm({ mean: o.cpuMs.mean / 1000, sd: o.cpuMs.sd / 1000 }, 2)} | ${o.cpuRatio.toFixed(2)} |`);
  }
  const choices = Object.entries(c.peer.choices).map(([k, v]) => `${k} ×${v}`).join(', ');
  lines.push(`| scikit-learn GridSearchCV choice (${choices}) | ${pm(c.peer.auc)} | — | ${pm(c.peer.brier)} | ${pm({ mean: c.peer.cpuMs.mean / 1000, sd: c.peer.cpuMs.sd / 1000 }, 2)} | 1 |`);
  for (const [f, s] of Object.entries(c.peerFamilies)) {
    lines.push(`| scikit-learn best ${f} | ${pm(s.auc)} | | ${pm(s.brier)}${f === c.bestPeerFamilyBrier.family ? ' (best family Brier)' : ''} | | |`);
  }
  return lines.join('\n');
}

