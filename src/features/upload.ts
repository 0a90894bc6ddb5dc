/**
 * `/upload`: how to send new data. The files themselves arrive as Telegram documents
 * (src/bot/upload.ts); this command only explains, so it shows up in /help and the menu.
 */
import { text } from '../core/reply.ts';
import * as M from '../messages.ts';
import type { Feature } from './feature.ts';

export interface UploadHelp {
  fileNames: readonly string[];
  timeoutMinutes: number;
  maxFileMb: number;
}

export function uploadFeature(help: UploadHelp): Feature {
  return {
    command: 'upload',
    description: M.COMMAND_DESCRIPTIONS.upload,
    access: 'admin',
    run: async () => [text(`${M.UPLOAD.howTo(help.fileNames, help.timeoutMinutes, help.maxFileMb)}\n\n${M.CAMPAIGN.contacts.uploadHint}`)],
  };
}
