/**
 * Recording what came of a call: the three status buttons every customer of the week's list
 * carries (on a /plan page and on a /risk card), and `/contact ID статус` for typing it (the
 * console shows the buttons as this command). A press the core refuses — the week has no plan,
 * the customer is not on it, or is held out — gets one short sentence, never an error.
 */
import { CampaignError, type OutreachOutcome } from '../core/campaign/index.ts';
import type { OutreachStatus } from '../core/ports.ts';
import { text, type Button, type CallbackData, type Reply } from '../core/reply.ts';
import * as M from '../messages.ts';
import type { CampaignServices } from './campaignServices.ts';
import type { ChatUser, Feature } from './feature.ts';

export const STATUSES: readonly OutreachStatus[] = ['offered', 'no_answer', 'declined'];

type Outreach = Extract<CallbackData, { kind: 'outreach' }>;

/**
 * The status buttons of one customer: on a list page numbered like the list (`n`), on a card
 * without a number. The recorded status is ticked.
 */
export function statusButtons(o: { week: string; id: number; status: OutreachStatus | null; page: number | null; n?: number }): Button[] {
  return STATUSES.map((status) => ({
    text: o.n === undefined ? M.CAMPAIGN.cardButton(status, o.status === status) : M.CAMPAIGN.listButton(o.n, status, o.status === status),
    data: { kind: 'outreach', week: o.week, id: o.id, status, page: o.page },
  }));
}

/** The core's refusal, worded; anything else is not ours to word and is rethrown. */
export function refusal(err: unknown): Reply {
  if (!(err instanceof CampaignError)) throw err;
  if (err.reason === 'no_plan') return text(M.CAMPAIGN.refused.no_plan(err.week));
  return text(M.CAMPAIGN.refused[err.reason](err.week, err.customerId!));
}

/** Records a press or a typed status; a refusal comes back as its answer instead of an outcome. */
export async function recordCall(
  campaign: Pick<CampaignServices, 'record'>,
  user: ChatUser,
  input: { id: number; status: OutreachStatus; week?: string },
): Promise<{ outcome: OutreachOutcome } | { refused: Reply }> {
  try {
    return { outcome: await campaign.record({ customerId: input.id, status: input.status, userId: user.userId, chatId: user.chatId, week: input.week }) };
  } catch (err) {
    return { refused: refusal(err) };
  }
}

const statusKey = (word: string) => word.toLowerCase().replace(/ё/g, 'е').replace(/[\s-]+/g, '_');

/** `offered`, «предложил», «не дозвонился», «отказ»…: the status a word names, or null. */
export function parseStatus(word: string): OutreachStatus | null {
  const key = statusKey(word.trim());
  return STATUSES.find((s) => M.CAMPAIGN.statusAliases[s].some((a) => statusKey(a) === key)) ?? null;
}

/** `/contact ID статус`: the typed form of a status button, for this week's list. */
export function contactFeature(deps: { campaign: Pick<CampaignServices, 'record'>; exampleId: () => Promise<number | null> }): Feature {
  return {
    command: 'contact',
    description: M.CAMPAIGN.commands.contact,
    access: 'allowed',
    async run(user, args) {
      const m = /^(\d{1,15})\s+(.+)$/u.exec(args.trim());
      const status = m ? parseStatus(m[2]) : null;
      if (!m || !status) return [text(M.CAMPAIGN.contactUsage(await deps.exampleId()))];
      const r = await recordCall(deps.campaign, user, { id: Number(m[1]), status });
      if ('refused' in r) return [r.refused];
      const { outreach, replaced, progress } = r.outcome;
      return [text(M.CAMPAIGN.recorded({ customerId: outreach.customerId, status: outreach.status, replaced, progress }))];
    },
  };
}

export type { Outreach as OutreachPress };
