import type { AccessPolicy } from '../core/access.ts';
import type { SubscriberRepository } from '../core/ports.ts';

/** The configured lists; a supergroup is known by the group id the operator listed. */
export function accessPolicy(
  config: { allowedUserIds: ReadonlySet<number>; adminUserIds: ReadonlySet<number>; allowedChatIds: ReadonlySet<number> },
  subscribers: Pick<SubscriberRepository, 'originOf'>,
): AccessPolicy {
  return {
    allowed: config.allowedUserIds,
    admins: config.adminUserIds,
    teamChats: config.allowedChatIds,
    originOf: (chatId) => subscribers.originOf(chatId),
  };
}
