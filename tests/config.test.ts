import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.ts';

const SECRET = 'Ab3_-'.repeat(8); // 40 characters of Telegram's alphabet

function problem(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error('the configuration was accepted');
}

describe('webhook configuration', () => {
  it('is off without WEBHOOK_URL (long polling), whatever else is set; a blank URL counts as unset', () => {
    expect(loadConfig({}).webhook).toBeUndefined();
    expect(loadConfig({ WEBHOOK_URL: ' ', WEBHOOK_SECRET: 'short', PORT: '9000' }).webhook).toBeUndefined();
  });

  it('serves at the URL path on PORT (8080 by default), with the health check beside it', () => {
    expect(loadConfig({ WEBHOOK_URL: 'https://bot.example.com/telegram/hook?x=1', WEBHOOK_SECRET: SECRET }).webhook).toEqual({
      url: 'https://bot.example.com/telegram/hook?x=1',
      path: '/telegram/hook',
      secret: SECRET,
      port: 8080,
      healthPath: '/healthz',
    });
    expect(loadConfig({ WEBHOOK_URL: 'http://127.0.0.1:9/hook', WEBHOOK_SECRET: SECRET, PORT: '0' }).webhook?.port).toBe(0);
  });

  it('fails closed, in one line that never shows the secret: missing, short or with characters Telegram refuses', () => {
    const url = { WEBHOOK_URL: 'https://bot.example.com/hook' };
    for (const secret of [undefined, 'x'.repeat(31), `${'x'.repeat(40)}!`, `${'x'.repeat(40)} y`, 'x'.repeat(257)]) {
      const message = problem(secret === undefined ? url : { ...url, WEBHOOK_SECRET: secret });
      expect(message.split('\n')).toHaveLength(1);
      expect(message).toMatch(/^invalid configuration: WEBHOOK_SECRET: .*32 to 256 characters/);
      if (secret) expect(message).not.toContain(secret);
    }
    expect(problem(url)).toMatch(/is required with WEBHOOK_URL/);
  });

  it('wants https, except on a loopback host (tests against the emulator)', () => {
    expect(problem({ WEBHOOK_URL: 'http://bot.example.com/hook', WEBHOOK_SECRET: SECRET })).toBe(
      'invalid configuration: WEBHOOK_URL: must be https:// (http:// only for a loopback host)',
    );
    for (const host of ['localhost:8080', '127.0.0.1', '[::1]:9000']) {
      expect(loadConfig({ WEBHOOK_URL: `http://${host}/hook`, WEBHOOK_SECRET: SECRET }).webhook?.path).toBe('/hook');
    }
    expect(problem({ WEBHOOK_URL: 'not a url', WEBHOOK_SECRET: SECRET })).toMatch(/^invalid configuration: WEBHOOK_URL: /);
    expect(problem({ WEBHOOK_URL: 'https://bot.example.com/healthz', WEBHOOK_SECRET: SECRET })).toMatch(/must not be \/healthz/);
  });

  it('lists several problems on several lines', () => {
    expect(problem({ WEBHOOK_URL: 'http://bot.example.com/hook' }).split('\n')).toEqual([
      'invalid configuration:',
      '  WEBHOOK_URL: must be https:// (http:// only for a loopback host)',
      expect.stringMatching(/^ {2}WEBHOOK_SECRET: is required with WEBHOOK_URL/),
    ]);
    expect(problem({ PORT: '70000', RISK_HIGH: '2' }).split('\n')).toHaveLength(3);
  });
});

describe('digest lease', () => {
  it('is five minutes by default and DIGEST_LEASE_SECONDS otherwise', () => {
    expect(loadConfig({}).digest.leaseMs).toBe(300_000);
    expect(loadConfig({ DIGEST_LEASE_SECONDS: '30' }).digest.leaseMs).toBe(30_000);
    expect(loadConfig({ DIGEST_LEASE_SECONDS: '5' }).digest.leaseMs).toBe(5_000);
  });

  it('refuses a lease shorter than 5 s, a fraction or a word', () => {
    for (const bad of ['4', '0', '-300', '12.5', 'five']) {
      expect(problem({ DIGEST_LEASE_SECONDS: bad })).toMatch(/^invalid configuration: DIGEST_LEASE_SECONDS: /);
    }
  });
});
