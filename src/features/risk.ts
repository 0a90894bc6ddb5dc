/**
 * `/risk ID…`: a customer's probability, band, drivers and offer, with the drivers chart; up to
 * MAX_RISK_IDS customers per message. An id the export had but the cleaning dropped is explained,
 * not reported as unknown.
 */
import type { Assistant } from '../core/assistant.ts';
import { NotFoundError } from '../core/errors.ts';
import { text, type Outgoing } from '../core/reply.ts';
import * as M from '../messages.ts';
import { customerDriversChart } from './charts/specs.ts';
import type { ChartRenderer } from './charts/index.ts';
import type { Feature } from './feature.ts';
import { riskCard, type RiskCardDeps } from './riskCard.ts';

const CUSTOMER_ID = /^\d{1,15}$/;

export interface RiskFeatureDeps extends Omit<RiskCardDeps, 'assistant'> {
  assistant: Pick<Assistant, 'risk' | 'excluded' | 'exampleId'>;
  charts: ChartRenderer;
  units: M.MoneyUnits;
}

/** The ids of «215349 215350», «215349, 215350», in order and without repeats; null if anything else is there. */
function parseIds(args: string): number[] | null {
  const tokens = args.split(/[\s,;]+/).filter(Boolean);
  if (tokens.length === 0 || !tokens.every((t) => CUSTOMER_ID.test(t))) return null;
  return [...new Set(tokens.map(Number))];
}

export function riskFeature({ assistant, charts, campaign, timeZone, units }: RiskFeatureDeps): Feature {
  async function answer(id: number): Promise<Outgoing[]> {
    try {
      const card = await riskCard({ assistant, campaign, timeZone, units }, id);
      return [
        text(card.text, card.buttons.length ? card.buttons : undefined),
        { type: 'later-photo', fileName: `risk-${card.risk.customer.id}.png`, draw: () => charts.render(customerDriversChart(card.risk, units)) },
      ];
    } catch (err) {
      if (!(err instanceof NotFoundError && err.what === 'customer')) throw err;
      const reason = await assistant.excluded(id);
      return [text(reason ? M.CHAT.customerExcluded(id, reason) : M.CHAT.customerNotFound(err.key, err.suggestions))];
    }
  }

  return {
    command: 'risk',
    description: M.COMMAND_DESCRIPTIONS.risk,
    access: 'allowed',
    asksWhenBare: true,
    async run(_user, args) {
      if (!args) return [text(M.CHAT.askRiskId(await assistant.exampleId()))];
      const ids = parseIds(args);
      if (!ids) return [text(M.CHAT.badRiskId(args, await assistant.exampleId()))];
      const shown = ids.slice(0, M.MAX_RISK_IDS);
      const replies: Outgoing[] = ids.length > shown.length ? [text(M.CHAT.tooManyIds(ids.length, shown))] : [];
      for (const id of shown) replies.push(...(await answer(id)));
      return replies;
    },
    callbacks: { risk: (_user, data) => answer(data.id) },
  };
}
