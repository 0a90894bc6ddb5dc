/**
 * Every chart read on a 360 px phone screen: no text smaller than 11 px once the image is scaled
 * to that width, and no label, title or subtitle wider than the image or cut with «…». Widths are
 * measured with the fonts the renderer uses.
 */
import { createCanvas } from '@napi-rs/canvas';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerChartFonts } from '../../src/app/charts/fonts.ts';
import type { Driver } from '../../src/core/risk.ts';
import { FEATURES, type FeatureName } from '../../src/core/domain.ts';
import { PHONE_WIDTH, preferredSize, type ChartConfig } from '../../src/features/charts/index.ts';
import { customerDriversChart, featureImportanceChart, segmentMembersChart, segmentOverviewChart } from '../../src/features/charts/specs.ts';
import { FONT_SIZE, TITLE_CHARS } from '../../src/features/charts/theme.ts';
import { DEFAULT_UNITS, describeDriver } from '../../src/messages.ts';
import { SEGMENT_CODES, type SegmentSummary } from '../../src/core/segments.ts';
import { sampleCharts } from './fixtures/chartSamples.ts';

const ctx = createCanvas(10, 10).getContext('2d');
beforeAll(() => registerChartFonts());

type Font = { family: string; size: number; weight?: string };

/** Every font spec anywhere in a config (title, subtitle, ticks, axis titles, legend, plugins). */
function fonts(node: unknown, out: Font[] = []): Font[] {
  if (!node || typeof node !== 'object') return out;
  const o = node as Record<string, unknown>;
  if (typeof o.size === 'number' && typeof o.family === 'string') out.push(o as unknown as Font);
  for (const v of Object.values(o)) if (typeof v === 'object') fonts(v, out);
  return out;
}

const measure = (text: string, font: Font) => {
  ctx.font = `${font.weight ?? 'normal'} ${font.size}px 'DejaVu Sans'`;
  return ctx.measureText(text).width;
};

/** The chart area's width: the image minus the layout padding. */
function usableWidth(config: ChartConfig): number {
  const pad = (config.options?.layout?.padding ?? {}) as { left?: number; right?: number };
  return preferredSize(config).width - (pad.left ?? 0) - (pad.right ?? 0);
}

function textsOf(config: ChartConfig): { lines: string[]; font: Font }[] {
  const p = config.options!.plugins!;
  const lines = (v: unknown) => ([] as string[]).concat((v ?? []) as string | string[]).filter(Boolean);
  return [
    { lines: lines(p.title?.text), font: p.title!.font as Font },
    { lines: p.subtitle?.display ? lines(p.subtitle.text) : [], font: p.subtitle?.font as Font },
    { lines: lines((p.barCaptions?.captions ?? []).filter(Boolean)), font: p.barCaptions?.font as Font },
  ].filter((t) => t.lines.length > 0);
}

const LONG_CATEGORY = 'Мелкая бытовая техника и электроника';
const extremes: Record<FeatureName, [number | string, number | string]> = {
  serviceType: ['стандарт', 'премиум'],
  allowNotify: ['нет', 'да'],
  marketActive6m: [0.9, 4.25],
  marketActiveCurrent: [3, 4.01],
  tenureDays: [1079, 601.9],
  promoShare: [0.99, 0.32],
  popularCategory: [LONG_CATEGORY, 'Косметика и аксесуары'],
  categoriesPerVisit: [1, 3.27],
  unpaidItems: [10, 2.84],
  serviceErrors: [9, 4.19],
  pagesPerVisit: [1, 8.18],
  revenuePrePrev: [106862.2, 4836.37],
  revenuePrev: [106862.2, 4948.34],
  revenueCurrent: [106862.2, 5238.1],
  minutesPrev: [23, 13.47],
  minutesCurrent: [23, 13.2],
};

const driver = (feature: FeatureName, contribution: number): Driver => ({
  feature,
  contribution,
  value: extremes[feature][0],
  typical: extremes[feature][1],
});

const summary = (code: SegmentSummary['code']): SegmentSummary => ({
  code,
  size: 1234,
  share: 0.95,
  meanRisk: 0.9,
  profitAtStake: 123456.7,
  members: Array.from({ length: 9 }, (_, i) => ({
    customer: { id: 999_999 + i, profit: 6.15 } as SegmentSummary['members'][number]['customer'],
    probability: 0.999,
    priority: 1234.56,
    segments: [code],
  })),
});

/** The charts as the features build them, with the longest texts real data can produce. */
const worstCases: [string, ChartConfig][] = [
  ...FEATURES.map(
    (f, i) =>
      [
        `drivers with ${f.name}`,
        customerDriversChart(
          {
            customer: { id: 215_349 } as never,
            baseRate: 0.381,
            probability: 0.999,
            drivers: FEATURES.slice(i, i + 5).concat(FEATURES.slice(0, Math.max(0, i + 5 - FEATURES.length))).map((g, j) => driver(g.name, 0.1 - j * 0.04)),
          },
          DEFAULT_UNITS,
        ),
      ] as [string, ChartConfig],
  ),
  [
    'importance',
    featureImportanceChart(
      FEATURES.map((f, i) => ({
        feature: f.name,
        importance: 0.02 - i * 0.001,
        direction: f.kind === 'numeric' ? { kind: 'numeric', correlation: -0.4 } : { kind: 'categorical', riskiest: LONG_CATEGORY, safest: 'x' },
        // The longest label an indirect feature gets: its direction and «(не причина)».
        ...(f.name === 'serviceErrors' ? { indirect: 'opposite' as const } : {}),
      })),
    ),
  ],
  ['segments overview', segmentOverviewChart({ segments: SEGMENT_CODES.map(summary), combinations: [{ segments: ['profitable', 'cart', 'at-risk'], customers: 9 }] }, DEFAULT_UNITS)],
  ...SEGMENT_CODES.map((code) => [`segment ${code}`, segmentMembersChart(summary(code), DEFAULT_UNITS)] as [string, ChartConfig]),
  ...sampleCharts.map(([kind, build]) => [`sample ${kind}`, build()] as [string, ChartConfig]),
];

describe('charts on a 360 px phone screen', () => {
  it.each(worstCases)('%s: no text under 11 px once scaled', (_name, config) => {
    const scale = PHONE_WIDTH / preferredSize(config).width;
    const all = fonts(config.options);
    expect(all.length).toBeGreaterThan(3);
    for (const f of all) expect(f.size * scale, `${f.size}px`).toBeGreaterThanOrEqual(11);
  });

  it.each(worstCases)('%s: every title, subtitle and caption line fits, nothing cut', (_name, config) => {
    const room = usableWidth(config);
    for (const { lines, font } of textsOf(config)) {
      for (const line of lines) {
        expect(line).not.toMatch(/…$/);
        expect(measure(line, font), line).toBeLessThanOrEqual(room);
      }
    }
  });

  it('the sizes the checks rely on', () => {
    expect(FONT_SIZE.tick * (PHONE_WIDTH / 1000)).toBeGreaterThanOrEqual(11);
    expect(TITLE_CHARS).toBeGreaterThan(20);
  });

  it('driver captions keep every word a manager needs (no ellipsis, units kept)', () => {
    for (const f of FEATURES) {
      const caption = describeDriver(driver(f.name, 0.1), DEFAULT_UNITS);
      expect(caption).not.toContain('…');
      if (f.name.startsWith('revenue')) expect(caption).toMatch(/106\s862\s₽ \(в среднем [\d\s]+\s₽\)/);
      if (f.name.startsWith('minutes')) expect(caption).toMatch(/23\sмин \(в среднем 13,\d\sмин\)/);
    }
  });
});
