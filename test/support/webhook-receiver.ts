// A webhook receiver on loopback for tests: records every request (headers, raw body), checks the
// X-Cairn-Signature by recomputing the HMAC, and answers with statuses a test scripts.
import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedWebhook {
  headers: http.IncomingHttpHeaders;
  body: string;
  json: { id: string; event: string; timestamp: number; data: Record<string, unknown> };
  /** True when the signature header equals sha256=HMAC(secret, timestamp + "." + body). */
  signatureValid: boolean;
  deliveryId: string;
  answered: number;
}

export interface WebhookReceiver {
  url: string;
  port: number;
  received: ReceivedWebhook[];
  /** Statuses for the next requests, in order; 200 once they run out. */
  script: number[];
  secret: string;
  close(): Promise<void>;
  /** Resolves once `n` requests arrived (or rejects after `timeoutMs`). */
  waitFor(n: number, timeoutMs?: number): Promise<ReceivedWebhook[]>;
}

export async function startWebhookReceiver(
  opts: { secret?: string; port?: number; script?: number[] } = {},
): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const ts = String(req.headers['x-cairn-timestamp'] ?? '');
      const expected = `sha256=${createHmac('sha256', receiver.secret).update(`${ts}.${body}`).digest('hex')}`;
      const status = receiver.script.length > 0 ? receiver.script.shift()! : 200;
      let json: ReceivedWebhook['json'];
      try {
        json = JSON.parse(body);
      } catch {
        json = { id: '', event: '', timestamp: 0, data: {} };
      }
      received.push({
        headers: req.headers,
        body,
        json,
        signatureValid: req.headers['x-cairn-signature'] === expected,
        deliveryId: String(req.headers['x-cairn-delivery'] ?? ''),
        answered: status,
      });
      res.writeHead(status, { 'content-type': 'text/plain', connection: 'close' }).end(status < 300 ? 'ok' : 'fail');
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const receiver: WebhookReceiver = {
    url: `http://127.0.0.1:${port}/hook`,
    port,
    received,
    script: [...(opts.script ?? [])],
    secret: opts.secret ?? '',
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
    async waitFor(n, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      while (received.length < n) {
        if (Date.now() > deadline)
          throw new Error(`receiver got ${received.length} of ${n} webhooks in ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 20));
      }
      return received;
    },
  };
  return receiver;
}
