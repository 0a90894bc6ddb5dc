import { Rng, type ColumnSpec, type Frame, type Matrix } from '../../src/ml/index.ts';
import { fromRows } from '../../src/ml/matrix.ts';

export const TOY_SCHEMA: ColumnSpec[] = [
  { name: 'tier', kind: 'categorical' },
  { name: 'visits', kind: 'numeric' },
  { name: 'minutes', kind: 'numeric' },
  { name: 'noise', kind: 'numeric' },
  { name: 'channel', kind: 'categorical' },
];

/**
 * Learnable toy set: the label follows a logistic law in visits, minutes and tier, plus an
 * interaction so that non-linear families have something to find; `noise` and `channel` are irrelevant.
 */
export function toyData(n: number, seed = 1): { X: Frame; y: Uint8Array } {
  const rng = new Rng(seed);
  const tier: string[] = [];
  const channel: string[] = [];
  const visits = new Float64Array(n);
  const minutes = new Float64Array(n);
  const noise = new Float64Array(n);
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    tier.push(rng.next() < 0.3 ? 'gold' : 'basic');
    channel.push(['web', 'app', 'phone'][rng.int(3)]);
    visits[i] = 5 + 2 * rng.normal();
    minutes[i] = 15 + 4 * rng.normal();
    noise[i] = rng.normal() * 100;
    const z = -1.2 * (visits[i] - 5) / 2 - 0.8 * (minutes[i] - 15) / 4 + (tier[i] === 'gold' ? 0.7 : 0) + 0.8 * ((visits[i] - 5) / 2) * ((minutes[i] - 15) / 4) - 0.3;
    y[i] = rng.next() < 1 / (1 + Math.exp(-2 * z)) ? 1 : 0;
  }
  return { X: { n, columns: { tier, visits, minutes, noise, channel } }, y };
}

/**
 * Three standard normal features per row; `label` decides the class from them, drawing any noise
 * from the same stream right after the row, so a seed fixes the whole set.
 */
export function normalRows(
  n: number,
  seed: number,
  label: (row: number[], rng: Rng) => boolean,
): { X: Matrix; y: Uint8Array } {
  const rng = new Rng(seed);
  const rows: number[][] = [];
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const row = [rng.normal(), rng.normal(), rng.normal()];
    rows.push(row);
    y[i] = label(row, rng) ? 1 : 0;
  }
  return { X: fromRows(rows), y };
}
