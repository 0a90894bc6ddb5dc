/** The assistant over stdin/stdout: the same dialogue as the bot, photos saved as files. */
import { createInterface } from 'node:readline';
import { drawnPhoto, type Answer, type Button, type LaterPhoto } from '../core/reply.ts';
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

/** What to type for a button: the console has no buttons, so each one is shown with its command. */
function buttonCommand(b: Button): string {
  if (b.url !== undefined) return b.url;
  const d = b.data;
  switch (d.kind) {
    case 'risk':
      return `/risk ${d.id}`;
    case 'plan':
      return `/plan ${d.page}`;
    case 'outreach':
      return `/contact ${d.id} ${M.CAMPAIGN.statusWord[d.status]}`;
    default:
      return `/${d.kind} ${d.code}`;
  }
}

export function renderReply(reply: Exclude<Answer, LaterPhoto>, outDir: string, seq: number): string {
  if (reply.type === 'text' || reply.type === 'edit') {
    const hints = (reply.buttons ?? []).flat().map((b) => M.CHAT.buttonHint(b.text, buttonCommand(b)));
    return [...(reply.type === 'edit' ? [M.CAMPAIGN.consoleEdited] : []), reply.text, ...hints].join('\n');
  }
  const path = saveReplyFile(reply, outDir, `${String(seq).padStart(3, '0')}-`);
  const saved = reply.type === 'photo' ? M.CHAT.photoSaved(path) : M.CHAT.documentSaved(path);
  return [reply.caption, saved].filter(Boolean).join('\n');
}

const isStart = (line: string) => /^\/start(@\S+)?$/i.test(line.trim());

/**
 * Answers line by line until the input ends; resolves then, so scripts can pipe commands in.
 * The greeting is shown once: before the first answer, unless that first line is /start itself
 * (whose answer is the greeting). A person typing sees it at once, so they know what to type.
 */
export async function runConsole(dialogue: Dialogue, opts: ConsoleOptions): Promise<void> {
  const rl = createInterface({ input: opts.input, terminal: false });
  const write = (s: string) => opts.output.write(`${s}\n`);
  const prompt = () => opts.interactive && opts.output.write('> ');
  let seq = 0;
  let greeted = false;
  const greet = async () => {
    write(await dialogue.greeting());
    write('');
    greeted = true;
  };
  if (opts.interactive) await greet();
  prompt();
  let first = true;
  for await (const line of rl) {
    if (line.trim()) {
      const repeatsGreeting = first && isStart(line);
      first = false;
      if (repeatsGreeting && greeted) {
        prompt();
        continue;
      }
      if (!greeted && !repeatsGreeting) await greet();
      greeted = true;
      // In order, each as soon as it is ready: the card is shown before its chart is drawn.
      for (const reply of await dialogue.handleText(CONSOLE_USER, line)) {
        write(renderReply(reply.type === 'later-photo' ? await drawnPhoto(reply) : reply, opts.outDir, ++seq));
      }
      write('');
    }
    prompt();
  }
  if (!greeted) await greet();
}
