/**
 * Who may see customer data, and where. Customer data is personal data: it goes only to the
 * private chat of an allowed user, or to a team group chat listed by configuration. Nothing is
 * open by default: with both user lists empty nobody is allowed.
 */
export interface AccessPolicy {
  allowed: ReadonlySet<number>;
  admins: ReadonlySet<number>;
  /** Group chats where the team works (ALLOWED_CHAT_IDS). */
  teamChats: ReadonlySet<number>;
  /**
   * The chat id a chat had when it was configured: Telegram gives a group a new id when it
   * becomes a supergroup, and the operator's list still names the old one.
   */
  originOf?: (chatId: number) => Promise<number>;
}

export function mayAsk(policy: AccessPolicy, userId: number): boolean {
  return policy.allowed.has(userId) || policy.admins.has(userId);
}

export function isAdmin(policy: AccessPolicy, userId: number): boolean {
  return policy.admins.has(userId);
}

export async function isTeamChat(policy: AccessPolicy, chatId: number): Promise<boolean> {
  if (policy.teamChats.has(chatId)) return true;
  return policy.originOf !== undefined && policy.teamChats.has(await policy.originOf(chatId));
}

/**
 * Whether customer data may be sent to `chatId` on behalf of `userId`, checked at send time:
 * a listed team chat, or the private chat (whose id is the user's) of a user still allowed.
 */
export async function mayReceive(policy: AccessPolicy, chatId: number, userId: number): Promise<boolean> {
  if (await isTeamChat(policy, chatId)) return true;
  return chatId === userId && mayAsk(policy, userId);
}
