/** `/start` and `/help`: the greeting and the command list. */
import { text } from '../core/reply.ts';
import * as M from '../messages.ts';
import type { Feature, MenuItem } from './feature.ts';

export function startFeature(deps: { exampleId: () => Promise<number | null> }): Feature {
  return {
    command: 'start',
    description: M.COMMAND_DESCRIPTIONS.start,
    access: 'allowed',
    run: async () => [text(M.CHAT.start(await deps.exampleId()))],
  };
}

export function helpFeature(deps: { menu: () => MenuItem[]; units: M.MoneyUnits; exampleId: () => Promise<number | null> }): Feature {
  return {
    command: 'help',
    description: M.COMMAND_DESCRIPTIONS.help,
    access: 'allowed',
    run: async () => [text(M.CHAT.help(deps.menu(), deps.units, await deps.exampleId()))],
  };
}
