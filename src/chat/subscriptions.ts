/** `/subscribe` and `/unsubscribe`: who gets the weekly digest. Delivery itself is src/core/digest. */
import type { SubscriberRepository } from '../core/ports.ts';
import * as M from '../messages.ts';
import type { ChatUser } from './conversation.ts';
import { text, type Reply } from './replies.ts';

export interface SubscriptionDeps {
  subscribers: SubscriberRepository;
  /** When the next digest goes out, already phrased for people (null if unknown). */
  nextDigest: () => string | null;
}

/** The console talks as chat 0, an id Telegram never uses: nothing could be pushed there. */
const CONSOLE_CHAT = 0;

export function subscriptionCommands({ subscribers, nextDigest }: SubscriptionDeps) {
  return [
    {
      command: 'subscribe',
      run: async (user: ChatUser, _args: string): Promise<Reply[]> => {
        if (user.chatId === CONSOLE_CHAT) return [text(M.DIGEST.telegramOnly)];
        return subscribers.subscribe(user.chatId, user.userId)
          ? [text(M.DIGEST.subscribed(nextDigest()))]
          : [text(M.DIGEST.alreadySubscribed(nextDigest()))];
      },
    },
    {
      command: 'unsubscribe',
      run: async (user: ChatUser, _args: string): Promise<Reply[]> =>
        subscribers.unsubscribe(user.chatId, 'user') ? [text(M.DIGEST.unsubscribed)] : [text(M.DIGEST.notSubscribed)],
    },
  ];
}
