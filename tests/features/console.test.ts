/** The console over the same dialogue: the greeting shows once, however the session starts. */
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { runConsole } from '../../src/console/console.ts';
import type { Dialogue } from '../../src/features/dialogue.ts';
import { text } from '../../src/core/reply.ts';

const GREETING = 'Здравствуйте!';
const dialogue: Dialogue = {
  menu: () => [],
  greeting: async () => GREETING,
  hint: async () => 'подсказка',
  menuReply: async () => [text('подсказка')],
  handleText: async (_u, input) => [text(input.trim() === '/start' ? GREETING : `ответ на ${input}`)],
  handleCallback: async () => [],
};

async function session(lines: string[], interactive = false): Promise<string> {
  const input = new PassThrough();
  const output = new PassThrough();
  let out = '';
  output.on('data', (c: Buffer) => (out += c.toString('utf8')));
  const done = runConsole(dialogue, { input, output, outDir: '/tmp', interactive });
  input.end(lines.map((l) => `${l}\n`).join(''));
  await done;
  return out;
}

const greetings = (out: string) => out.split(GREETING).length - 1;

describe('the console greeting', () => {
  it('is printed once when a script starts with /start', async () => {
    const out = await session(['/start', '/risk 1']);
    expect(greetings(out)).toBe(1);
    expect(out).toContain('ответ на /risk 1');
  });

  it('is printed once when a person types /start first', async () => {
    expect(greetings(await session(['/start'], true))).toBe(1);
  });

  it('comes first when a script starts with something else', async () => {
    const out = await session(['/risk 1']);
    expect(greetings(out)).toBe(1);
    expect(out.indexOf(GREETING)).toBeLessThan(out.indexOf('ответ на /risk 1'));
  });

  it('is there even for an empty script, and a later /start is answered as asked', async () => {
    expect(greetings(await session([]))).toBe(1);
    expect(greetings(await session(['/help', '/start']))).toBe(2);
  });
});
