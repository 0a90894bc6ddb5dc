/** `/subscribe` and `/unsubscribe`: who gets the weekly digest. Delivery itself is src/core/digest. */
import type { SubscriberRepository } from '../core/ports.ts';
import { text } from '../core/reply.ts';
import * as M from '../messages.ts';
import { CONSOLE_USER, type Feature } from './feature.ts';

export interface SubscriptionDeps {
  subscribers: SubscriberRepository;
  /** When the next digest goes out, already phrased for people (null if unknown). */
  nextDigest: () => string | null;
}

export function subscribeFeature({ subscribers, nextDigest }: SubscriptionDeps): Feature {
  return {
    command: 'subscribe',
    description: M.COMMAND_DESCRIPTIONS.subscribe,
    access: 'allowed',
    async run(user) {
      // Nothing can be pushed to the console.
      if (user.chatId === CONSOLE_USER.chatId) return [text(M.DIGEST.telegramOnly)];
      return (await subscribers.subscribe(user.chatId, user.userId))
        ? [text(M.DIGEST.subscribed(nextDigest()))]
        : [text(M.DIGEST.alreadySubscribed(nextDigest()))];
    },
  };
}

export function unsubscribeFeature({ subscribers }: Pick<SubscriptionDeps, 'subscribers'>): Feature {
  return {
    command: 'unsubscribe',
    description: M.COMMAND_DESCRIPTIONS.unsubscribe,
    access: 'allowed',
    run: async (user) =>
      (await subscribers.unsubscribe(user.chatId, 'user')) ? [text(M.DIGEST.unsubscribed)] : [text(M.DIGEST.notSubscribed)],
  };
}
