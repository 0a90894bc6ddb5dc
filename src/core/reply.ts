/**
 * The one message model of every answer and every pushed message (the digest included):
 * transport-free data that the bot sends through Telegram and the console prints and saves.
 * The core stores it (a digest's frozen parts) but never words or draws it.
 */

/** What a button asks for when pressed; the bot encodes it into Telegram's callback data. */
export type CallbackData =
  | { kind: 'segment'; code: string }
  | { kind: 'export'; code: string }
  | { kind: 'risk'; id: number }
  /** A page of a week's call list (1-based). */
  | { kind: 'plan'; week: string; page: number }
  /**
   * What came of a call to a customer of `week`'s list (`status` is ports' OutreachStatus). `page`
   * is the list page the button sits on, null on a /risk card: the answer redraws that message.
   */
  | { kind: 'outreach'; week: string; id: number; status: 'offered' | 'no_answer' | 'declined'; page: number | null };

/** A button runs a callback, or opens a link (a customer's CRM page). */
export type Button = { text: string; data: CallbackData; url?: never } | { text: string; url: string; data?: never };

/** A message that can be sent, pushed or stored (the digest's parts). */
export type Reply =
  | { type: 'text'; text: string; buttons?: Button[][] }
  | { type: 'photo'; png: Buffer; fileName: string; caption?: string }
  | { type: 'document'; content: Buffer; fileName: string; caption?: string };

/**
 * Replaces the message whose button was pressed, text and buttons, so a list updates in place.
 * Where there is no such message (the console) it is shown as a new one.
 */
export interface EditReply {
  type: 'edit';
  text: string;
  buttons?: Button[][];
}

/**
 * A chart drawn only once the messages before it are sent: a /risk card goes out without waiting
 * for its picture, which in a burst of questions, or with a chart nobody has drawn yet, is most of
 * the wait. Only answers carry one; what is stored (a digest's parts) is always drawn.
 */
export interface LaterPhoto {
  type: 'later-photo';
  fileName: string;
  draw(): Promise<Buffer>;
}

/** What a command is answered with. */
export type Outgoing = Reply | LaterPhoto;

/** What a pressed button is answered with: new messages, or the pressed one redrawn. */
export type Answer = Outgoing | EditReply;

export type Photo = Extract<Reply, { type: 'photo' }>;

export const drawnPhoto = async (later: LaterPhoto): Promise<Photo> => ({ type: 'photo', png: await later.draw(), fileName: later.fileName });

/** Every later photo drawn: for an answer that crosses to another thread whole (a worker's). */
export function drawn<T extends Answer>(answers: readonly T[]): Promise<Exclude<T, LaterPhoto>[]> {
  return Promise.all(answers.map((a) => (a.type === 'later-photo' ? drawnPhoto(a) : a))) as Promise<Exclude<T, LaterPhoto>[]>;
}

export const text = (t: string, buttons?: Button[][]): Reply => ({ type: 'text', text: t, buttons });
export const edit = (t: string, buttons?: Button[][]): EditReply => ({ type: 'edit', text: t, buttons });
