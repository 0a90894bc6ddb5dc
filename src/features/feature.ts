/**
 * The shape every user-facing command has. The bot, the console, the CLI and the command menu
 * all iterate one list of these (registry.ts); a new command is a new module plus one line there.
 */
import type { Answer, CallbackData, Outgoing } from '../core/reply.ts';

export interface ChatUser {
  chatId: number;
  userId: number;
  isAdmin: boolean;
}

/** The console and the CLI talk as chat 0, an id Telegram never uses, with an admin's rights. */
export const CONSOLE_USER: ChatUser = { chatId: 0, userId: 0, isAdmin: true };

export type CallbackKind = CallbackData['kind'];

export type CallbackHandlers = {
  [K in CallbackKind]?: (user: ChatUser, data: Extract<CallbackData, { kind: K }>) => Promise<Answer[]>;
};

export interface Feature {
  /** The command without its slash; Telegram allows [a-z0-9_] only. */
  command: string;
  /** One line for the command menu and /help. */
  description: string;
  /** 'admin' commands are refused to other allowed users. */
  access: 'allowed' | 'admin';
  run(user: ChatUser, args: string): Promise<Outgoing[]>;
  /**
   * Run without arguments, the command asked a question: the chat's next plain message is its
   * argument («/risk», then «215349»). Other plain messages are routed by intents.ts.
   */
  asksWhenBare?: boolean;
  /** Buttons this command's answers carry; their answers may redraw the pressed message. */
  callbacks?: CallbackHandlers;
}

export interface MenuItem {
  command: string;
  description: string;
}
