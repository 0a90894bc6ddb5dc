import type { ChartConfiguration } from 'chart.js';
import { CAMPAIGN, fmtPercent } from '../../messages.ts';
import { chartPlugins } from './common.ts';
import { errorBarsPlugin } from './errorBars.ts';
import { wrapLabel } from './format.ts';
import { emptyNotePlugin } from './plugins.ts';
import { COLORS, FONT_SIZE, axisTitle, baseOptions, font, grid, legendOptions, ticks } from './theme.ts';

/** Two bars per offer; the cap keeps a single offer from filling the whole image. */
const MAX_BAR_PX = 96;

/** A share in [0, 1] with its 95% interval. */
export interface RateWithInterval {
  rate: number;
  low: number;
  high: number;
}

export interface CampaignChartInput {
  subtitle: string;
  /** «Все» first, then one group per offer. Rates are null for an empty arm. */
  groups: { label: string; treated: RateWithInterval | null; control: RateWithInterval | null; conclusive: boolean }[];
}

const LABEL_CHARS = 16;
const FADED = { treated: 'rgba(47, 109, 181, 0.3)', control: 'rgba(141, 164, 191, 0.3)' };

/**
 * Did the calls work: per offer, the share of customers who bought less among those on the list
 * and among the control, side by side, each with its 95% interval. A group below the minimum size
 * is drawn faded, marked «мало данных» and carries no number, so nobody reads a result into it.
 */
export function campaignChart(input: CampaignChartInput): ChartConfiguration<'bar'> {
  const groups = input.groups;
  const isEmpty = groups.length === 0;
  const arm = (key: 'treated' | 'control', label: string, color: string, faded: string) => ({
    label,
    data: groups.map((g) => (g[key] ? g[key].rate * 100 : null)),
    errorBars: groups.map((g): [number, number] | null => (g[key] ? [g[key].low * 100, g[key].high * 100] : null)),
    whiskerLabels: groups.map((g) => (g[key] && g.conclusive ? fmtPercent(g[key].rate) : null)),
    backgroundColor: groups.map((g) => (g.conclusive ? color : faded)),
    barPercentage: 0.85,
    categoryPercentage: 0.75,
    maxBarThickness: MAX_BAR_PX,
  });
  return {
    type: 'bar',
    data: {
      labels: groups.map((g) => [...wrapLabel(g.label, LABEL_CHARS, 2), ...(g.conclusive ? [] : [`(${CAMPAIGN.chart.few})`])]),
      datasets: [arm('treated', CAMPAIGN.chart.treated, COLORS.primary, FADED.treated), arm('control', CAMPAIGN.chart.control, COLORS.neutral, FADED.control)],
    },
    options: {
      ...baseOptions(),
      scales: {
        x: { display: !isEmpty, ticks: { ...ticks(), autoSkip: false, maxRotation: 0 }, grid: grid(false) },
        y: {
          display: !isEmpty,
          min: 0,
          max: 100,
          title: axisTitle(CAMPAIGN.chart.axis),
          ticks: { ...ticks(COLORS.muted), stepSize: 20 },
          grid: grid(),
          border: { display: false },
        },
      },
      plugins: {
        ...chartPlugins(CAMPAIGN.chart.title, legendOptions(!isEmpty, 'top'), isEmpty),
        subtitle: { display: true, text: input.subtitle, color: COLORS.muted, font: font(FONT_SIZE.legend), padding: { bottom: 10 } },
        errorBars: { color: COLORS.text, width: 3, cap: 10, font: font(FONT_SIZE.value, 'bold'), labelColor: COLORS.text },
      },
    },
    plugins: [errorBarsPlugin, emptyNotePlugin],
  };
}
