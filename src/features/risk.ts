/** `/risk ID`: a customer's probability, band, drivers and offer, with the drivers chart. */
import type { Assistant } from '../core/assistant.ts';
import { text, type Reply } from '../core/reply.ts';
import * as M from '../messages.ts';
import { customerDriversChart } from './charts/specs.ts';
import type { ChartRenderer } from './charts/index.ts';
import type { Feature } from './feature.ts';

const CUSTOMER_ID = /^\d{1,15}$/;

export interface RiskFeatureDeps {
  assistant: Pick<Assistant, 'risk' | 'exampleId'>;
  charts: ChartRenderer;
}

export function riskFeature({ assistant, charts }: RiskFeatureDeps): Feature {
  async function answer(id: number): Promise<Reply[]> {
    const r = await assistant.risk(id);
    const png = await charts.render(customerDriversChart(r.customer.id, r.drivers));
    return [text(M.riskText(r)), { type: 'photo', png, fileName: `risk-${r.customer.id}.png` }];
  }

  return {
    command: 'risk',
    description: M.COMMAND_DESCRIPTIONS.risk,
    access: 'allowed',
    asksWhenBare: true,
    async run(_user, args) {
      if (!args) return [text(M.CHAT.askRiskId(assistant.exampleId()))];
      const token = args.trim().split(/\s+/)[0];
      if (!CUSTOMER_ID.test(token)) return [text(M.CHAT.badRiskId(args, assistant.exampleId()))];
      return answer(Number(token));
    },
    plainText: (message) => (CUSTOMER_ID.test(message) ? message : null),
    callbacks: { risk: (_user, data) => answer(data.id) },
  };
}
