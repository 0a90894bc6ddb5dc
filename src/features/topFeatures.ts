/** `/top_features`: what drives the risk across all customers, in which direction, with the importance chart. */
import type { Assistant } from '../core/assistant.ts';
import { text } from '../core/reply.ts';
import * as M from '../messages.ts';
import type { ChartRenderer } from './charts/index.ts';
import { featureImportanceChart } from './charts/specs.ts';
import type { Feature } from './feature.ts';

export function topFeaturesFeature(deps: { assistant: Pick<Assistant, 'topFeatures'>; charts: ChartRenderer }): Feature {
  return {
    command: 'top_features',
    description: M.COMMAND_DESCRIPTIONS.top_features,
    access: 'allowed',
    async run() {
      const top = await deps.assistant.topFeatures();
      const png = await deps.charts.render(featureImportanceChart(top));
      return [text(M.topFeaturesText(top)), { type: 'photo', png, fileName: 'top-features.png' }];
    },
  };
}
