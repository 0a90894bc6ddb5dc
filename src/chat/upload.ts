/**
 * `/upload`: how to send new data. The files themselves arrive as Telegram documents
 * (src/bot/upload.ts); this command only explains, so it lives with the other commands
 * and shows up in /help and the command menu.
 */
import * as M from '../messages.ts';
import { text, type Reply } from './replies.ts';
import type { ChatUser } from './conversation.ts';

export interface UploadHelp {
  fileNames: readonly string[];
  timeoutMinutes: number;
  maxFileMb: number;
}

export function uploadCommand(help: UploadHelp) {
  return {
    command: 'upload',
    adminOnly: true,
    run: async (_user: ChatUser, _args: string): Promise<Reply[]> => [
      text(M.UPLOAD.howTo(help.fileNames, help.timeoutMinutes, help.maxFileMb)),
    ],
  };
}
