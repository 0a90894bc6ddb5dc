/** `/model`: which model answers, how good it is, what it was trained on, and how its customers spread over the risk. */
import type { Assistant } from '../core/assistant.ts';
import { text } from '../core/reply.ts';
import * as M from '../messages.ts';
import type { ChartRenderer } from './charts/index.ts';
import { riskDistributionSpec } from './charts/specs.ts';
import type { Feature } from './feature.ts';

export function modelFeature(deps: {
  assistant: Pick<Assistant, 'modelInfo' | 'probabilities' | 'settings'>;
  charts: ChartRenderer;
  timeZone: string;
}): Feature {
  return {
    command: 'model',
    description: M.COMMAND_DESCRIPTIONS.model,
    access: 'allowed',
    async run() {
      const info = await deps.assistant.modelInfo();
      const png = await deps.charts.render(riskDistributionSpec(await deps.assistant.probabilities(), deps.assistant.settings.risk.high));
      return [text(M.modelText(info, deps.timeZone)), { type: 'photo', png, fileName: `distribution-v${info.model.version}.png` }];
    },
  };
}
