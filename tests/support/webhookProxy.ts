/**
 * A load balancer for webhook tests: one public URL in front of several bot replicas. Each request
 * goes to the next backend in turn, path, headers and body unchanged. failAfterForwarding() makes
 * it lose the backend's answer and tell the caller 502, as a proxy timing out would: the replica
 * has taken the update, and Telegram will deliver it again, maybe to another replica.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Forwarded {
  backend: string;
  updateId: number | undefined;
  /** The backend's status; what the caller got may differ (failAfterForwarding). */
  status: number;
  /** What the caller got. */
  answered: number;
}

export interface WebhookProxy {
  /** The public URL of `path`. */
  url(path: string): string;
  /** Backends as origins, e.g. http://127.0.0.1:4001; with none, requests get 503. */
  setBackends(origins: string[]): void;
  readonly forwarded: Forwarded[];
  /** The next `times` forwarded requests reach their backend, but the caller is answered 502. */
  failAfterForwarding(times?: number): void;
  close(): Promise<void>;
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'host', 'content-length']);

export async function startWebhookProxy(): Promise<WebhookProxy> {
  let backends: string[] = [];
  let next = 0;
  let failures = 0;
  const forwarded: Forwarded[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const body = Buffer.concat(chunks);
      if (backends.length === 0) return res.writeHead(503).end();
      const backend = backends[next++ % backends.length];
      const headers = Object.fromEntries(Object.entries(req.headers).filter(([k]) => !HOP_BY_HOP.has(k))) as Record<string, string>;
      let updateId: number | undefined;
      try {
        updateId = (JSON.parse(body.toString('utf8')) as { update_id?: number }).update_id;
      } catch {
        // not JSON: forwarded as it is
      }
      try {
        const answer = await fetch(`${backend}${req.url}`, { method: req.method, headers, body: req.method === 'GET' ? undefined : body });
        const text = Buffer.from(await answer.arrayBuffer());
        const lost = failures > 0 && failures-- > 0;
        forwarded.push({ backend, updateId, status: answer.status, answered: lost ? 502 : answer.status });
        if (lost) return res.writeHead(502).end();
        res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'text/plain' }).end(text);
      } catch {
        forwarded.push({ backend, updateId, status: 0, answered: 502 });
        res.writeHead(502).end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: (path) => `${origin}${path}`,
    setBackends(origins) {
      backends = origins;
    },
    forwarded,
    failAfterForwarding(times = 1) {
      failures += times;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
