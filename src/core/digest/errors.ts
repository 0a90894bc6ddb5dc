/**
 * How a DigestTransport reports a failed send. Anything else it throws is taken as an outage:
 * the run stops where it is and resumes later.
 */

/** The chat will never accept messages again (the user blocked the bot, left, was deleted). */
export class RecipientUnavailableError extends Error {
  readonly code = 'RECIPIENT_UNAVAILABLE';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RecipientUnavailableError';
  }
}

/** This chat refused this message (chat not found, bad request): retrying now would not help. */
export class DeliveryRejectedError extends Error {
  readonly code = 'DELIVERY_REJECTED';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DeliveryRejectedError';
  }
}

/** The group became a supergroup: the same chat now has `toChatId`. */
export class ChatMigratedError extends Error {
  readonly code = 'CHAT_MIGRATED';
  constructor(
    readonly toChatId: number,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ChatMigratedError';
  }
}

/** Another process took the run over after our lease expired. */
export class LeaseLostError extends Error {
  readonly code = 'LEASE_LOST';
  constructor(period: string) {
    super(`digest ${period}: lease taken over by another process`);
    this.name = 'LeaseLostError';
  }
}
