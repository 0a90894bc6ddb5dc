/** One JSON line per event on stderr, with anything shaped like a bot token masked. */
import type { Logger } from './core/ports.ts';

const TOKEN = /\d{5,}:[A-Za-z0-9_-]{30,}/g;

export function redact(s: string): string {
  return s.replace(TOKEN, '<token>');
}

export function createLogger(
  sink: (line: string) => void = (l) => process.stderr.write(`${l}\n`),
  minLevel: 'info' | 'warn' | 'error' = 'info',
): Logger {
  const order = { info: 0, warn: 1, error: 2 } as const;
  const emit = (level: keyof typeof order) => (msg: string, fields?: Record<string, unknown>) => {
    if (order[level] < order[minLevel]) return;
    sink(redact(JSON.stringify({ t: new Date().toISOString(), level, msg, ...fields })));
  };
  return { info: emit('info'), warn: emit('warn'), error: emit('error') };
}
