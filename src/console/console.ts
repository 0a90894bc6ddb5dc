/** The assistant over stdin/stdout: the same conversation as the bot, photos saved as files. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { Conversation } from '../chat/conversation.ts';
import type { Button, Reply } from '../chat/replies.ts';
import * as M from '../messages.ts';

export interface ConsoleOptions {
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
  /** Where photos and documents are written. */
  outDir: string;
  /** Show a prompt (only when a person is typing). */
  interactive?: boolean;
}

const CONSOLE_USER = { chatId: 0, userId: 0, isAdmin: true };

function buttonCommand(b: Button): string {
  if (b.data.kind === 'risk') return `/risk ${b.data.id}`;
  return `/${b.data.kind} ${b.data.code}`;
}

export function renderReply(reply: Reply, outDir: string, seq: number): string {
  if (reply.type === 'text') {
    const hints = (reply.buttons ?? []).flat().map((b) => M.CHAT.buttonHint(b.text, buttonCommand(b)));
    return [reply.text, ...hints].join('\n');
  }
  mkdirSync(outDir, { recursive: true });
  const path = resolve(join(outDir, `${String(seq).padStart(3, '0')}-${reply.fileName}`));
  if (reply.type === 'photo') {
    writeFileSync(path, reply.png);
    return [reply.caption, M.CHAT.photoSaved(path)].filter(Boolean).join('\n');
  }
  writeFileSync(path, reply.content);
  return [reply.caption, M.CHAT.documentSaved(path)].filter(Boolean).join('\n');
}

/** Answers line by line until the input ends; resolves then, so scripts can pipe commands in. */
export async function runConsole(conversation: Conversation, opts: ConsoleOptions): Promise<void> {
  const rl = createInterface({ input: opts.input, terminal: false });
  const write = (s: string) => opts.output.write(`${s}\n`);
  const prompt = () => opts.interactive && opts.output.write('> ');
  let seq = 0;
  write(conversation.greeting());
  prompt();
  for await (const line of rl) {
    if (line.trim()) {
      for (const reply of await conversation.handleText(CONSOLE_USER, line)) {
        write(renderReply(reply, opts.outDir, ++seq));
      }
      write('');
    }
    prompt();
  }
}
