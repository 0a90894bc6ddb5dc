/** The assistant over stdin/stdout: the same dialogue as the bot, photos saved as files. */
import { createInterface } from 'node:readline';
import type { Button, Reply } from '../core/reply.ts';
import type { Dialogue } from '../features/dialogue.ts';
import { CONSOLE_USER } from '../features/feature.ts';
import * as M from '../messages.ts';
import { saveReplyFile } from './replyFiles.ts';

export interface ConsoleOptions {
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
  /** Where photos and documents are written. */
  outDir: string;
  /** Show a prompt (only when a person is typing). */
  interactive?: boolean;
}

function buttonCommand(b: Button): string {
  if (b.data.kind === 'risk') return `/risk ${b.data.id}`;
  return `/${b.data.kind} ${b.data.code}`;
}

export function renderReply(reply: Reply, outDir: string, seq: number): string {
  if (reply.type === 'text') {
    const hints = (reply.buttons ?? []).flat().map((b) => M.CHAT.buttonHint(b.text, buttonCommand(b)));
    return [reply.text, ...hints].join('\n');
  }
  const path = saveReplyFile(reply, outDir, `${String(seq).padStart(3, '0')}-`);
  const saved = reply.type === 'photo' ? M.CHAT.photoSaved(path) : M.CHAT.documentSaved(path);
  return [reply.caption, saved].filter(Boolean).join('\n');
}

/** Answers line by line until the input ends; resolves then, so scripts can pipe commands in. */
export async function runConsole(dialogue: Dialogue, opts: ConsoleOptions): Promise<void> {
  const rl = createInterface({ input: opts.input, terminal: false });
  const write = (s: string) => opts.output.write(`${s}\n`);
  const prompt = () => opts.interactive && opts.output.write('> ');
  let seq = 0;
  write(dialogue.greeting());
  prompt();
  for await (const line of rl) {
    if (line.trim()) {
      for (const reply of await dialogue.handleText(CONSOLE_USER, line)) {
        write(renderReply(reply, opts.outDir, ++seq));
      }
      write('');
    }
    prompt();
  }
}
