/** `/model`: which model answers, how good it is and what it was trained on. */
import type { Assistant } from '../core/assistant.ts';
import { text } from '../core/reply.ts';
import * as M from '../messages.ts';
import type { Feature } from './feature.ts';

export function modelFeature(deps: { assistant: Pick<Assistant, 'modelInfo'>; timeZone: string }): Feature {
  return {
    command: 'model',
    description: M.COMMAND_DESCRIPTIONS.model,
    access: 'allowed',
    run: async () => [text(M.modelText(deps.assistant.modelInfo(), deps.timeZone))],
  };
}
