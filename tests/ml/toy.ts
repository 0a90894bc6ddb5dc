import { Rng, type ColumnSpec, type Frame } from '../../src/ml/index.ts';

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
