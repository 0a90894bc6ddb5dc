/**
 * The one message model of every answer and every pushed message (the digest included):
 * transport-free data that the bot sends through Telegram and the console prints and saves.
 * The core stores it (a digest's frozen parts) but never words or draws it.
 */

/** What a button asks for when pressed; the bot encodes it into Telegram's callback data. */
export type CallbackData =
  | { kind: 'segment'; code: string }
  | { kind: 'export'; code: string }
  | { kind: 'risk'; id: number };

export interface Button {
  text: string;
  data: CallbackData;
}

export type Reply =
  | { type: 'text'; text: string; buttons?: Button[][] }
  | { type: 'photo'; png: Buffer; fileName: string; caption?: string }
  | { type: 'document'; content: Buffer; fileName: string; caption?: string };

export const text = (t: string, buttons?: Button[][]): Reply => ({ type: 'text', text: t, buttons });
