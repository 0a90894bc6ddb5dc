import type { ChartConfiguration } from 'chart.js';
import { CHART_TEXT, fmtPercent, fmtPoints, fmtProbability } from '../../messages.ts';
import {
  aspectFor,
  captionedRows,
  type CaptionedRows,
  captionsOptions,
  chartPlugins,
  chromePx,
  linesOf,
  onBars,
  slotAxis,
  SLOT_PX,
  valueLabelStyle,
} from './common.ts';
import { barCaptionsPlugin, emptyNotePlugin, valueLabelsPlugin } from './plugins.ts';
import { COLORS, TITLE_CHARS, axisTitle, baseOptions, grid, legendOptions, ticks } from './theme.ts';
import type { DriversChartInput } from './types.ts';

/** More drivers than this do not fit a phone screen; the weakest go into «остальные признаки». */
export const MAX_DRIVERS = 7;

/** Below this (in probability) the «остальные признаки» bar is left out: it would be an invisible sliver. */
const NEGLIGIBLE = 0.0005;

type Span = [number, number];

/**
 * Why one customer is at risk, as a waterfall on the 0–100 % probability axis: the average
 * customer's probability, then one floating bar per driver (red when it raises the risk, green
 * when it lowers it), then «остальные признаки вместе», so the last bar ends exactly at the
 * probability the answer shows. Each bar is labelled («+12 п.п.», «38%»); the labels sit above
 * the bars across the whole width. Only the legend entries that occur are shown.
 */
export function driversChart(input: DriversChartInput): ChartConfiguration<'bar'> {
  const base = clamp01(input.baseRate);
  const probability = clamp01(input.probability);
  const sorted = input.drivers
    .filter((d) => Number.isFinite(d.value))
    .sort((a, b) => Math.abs(b.value) - Math.abs(a.value));
  const drivers = sorted.slice(0, MAX_DRIVERS);
  const rest = probability - base - drivers.reduce((s, d) => s + d.value, 0);
  const steps = [...drivers, ...(Math.abs(rest) >= NEGLIGIBLE ? [{ label: CHART_TEXT.drivers.rest, value: rest }] : [])];
  const isEmpty = !Number.isFinite(input.probability) || !Number.isFinite(input.baseRate);

  const rowCaptions = [CHART_TEXT.drivers.base, ...steps.map((s) => s.label), CHART_TEXT.drivers.total(input.customerId)];
  const rows = captionedRows(rowCaptions);
  const spans: Span[] = [];
  let level = base;
  for (const s of steps) {
    spans.push([level * 100, (level + s.value) * 100]);
    level += s.value;
  }
  const isRest = (i: number) => i === steps.length - 1 && Math.abs(rest) >= NEGLIGIBLE;
  /** One entry per row: null for the base and total rows, `pick(i)` for step row i. */
  const stepRows = <T>(pick: (i: number) => T | null) => [null, ...steps.map((_, i) => pick(i)), null];
  const up = (i: number) => steps[i].value >= 0;

  const datasets: ChartConfiguration<'bar'>['data']['datasets'] = [
    {
      label: CHART_TEXT.drivers.level,
      data: onBars(rows, [[0, base * 100] as Span, ...steps.map(() => null), [0, probability * 100] as Span]) as never,
      valueLabels: onBars(rows, [fmtPercent(base), ...steps.map(() => null), fmtProbability(probability)]),
      backgroundColor: everySlot(rows, COLORS.primary, [COLORS.primaryLight, ...steps.map(() => null), COLORS.primary]),
      grouped: false,
      barPercentage: 0.9,
      categoryPercentage: 1,
    },
  ];
  if (steps.some((_, i) => up(i))) {
    datasets.push({
      label: CHART_TEXT.drivers.up,
      data: onBars(rows, stepRows((i) => (up(i) ? spans[i] : null))) as never,
      valueLabels: onBars(rows, stepRows((i) => (up(i) ? fmtPoints(steps[i].value) : null))),
      backgroundColor: everySlot(rows, COLORS.risk, stepRows((i) => (isRest(i) ? COLORS.riskLight : null))),
      grouped: false,
      barPercentage: 0.9,
      categoryPercentage: 1,
    });
  }
  if (steps.some((_, i) => !up(i))) {
    datasets.push({
      label: CHART_TEXT.drivers.down,
      data: onBars(rows, stepRows((i) => (up(i) ? null : spans[i]))) as never,
      valueLabels: onBars(rows, stepRows((i) => (up(i) ? null : fmtPoints(steps[i].value)))),
      backgroundColor: everySlot(rows, COLORS.safe, stepRows((i) => (isRest(i) ? COLORS.safeLight : null))),
      grouped: false,
      barPercentage: 0.9,
      categoryPercentage: 1,
    });
  }

  const title = CHART_TEXT.drivers.title(input.customerId, fmtProbability(probability));
  const legendRows = datasets.length > 2 ? 2 : 1;
  return {
    type: 'bar',
    data: { labels: rows.labels, datasets: isEmpty ? [] : datasets },
    options: {
      ...baseOptions(),
      aspectRatio: aspectFor(rows.labels.length * SLOT_PX, chromePx({ titleLines: linesOf(title, TITLE_CHARS), legendRows })),
      indexAxis: 'y',
      scales: {
        x: {
          display: !isEmpty,
          min: 0,
          max: 100,
          title: axisTitle(CHART_TEXT.drivers.axis),
          ticks: { ...ticks(COLORS.muted), stepSize: 20 },
          grid: grid(),
          border: { display: false },
        },
        y: slotAxis(),
      },
      plugins: {
        ...chartPlugins(title, legendOptions(!isEmpty), isEmpty),
        valueLabels: valueLabelStyle(),
        barCaptions: isEmpty ? { ...captionsOptions(rows), captions: [] } : captionsOptions(rows),
      },
    },
    plugins: [valueLabelsPlugin, barCaptionsPlugin, emptyNotePlugin],
  };
}

/** A colour per slot: `colour` unless a row asks for another. The legend shows a dataset's first colour, so none is left empty. */
function everySlot(rows: CaptionedRows, colour: string, perRow: readonly (string | null)[]): string[] {
  return onBars(rows, perRow).map((c) => c ?? colour);
}

const clamp01 = (v: number) => (Number.isFinite(v) ? Math.min(1, Math.max(0, v)) : 0);
