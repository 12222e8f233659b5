// Sends one webhook POST: the stored body, signed with the webhook's secret, bounded by a timeout.
// Redirects are not followed (a receiver must answer itself); any 2xx counts as delivered.
import { signWebhookBody } from './webhook-signature.js';

export const DEFAULT_WEBHOOK_TIMEOUT_MS = 5000;
const MAX_ERROR_LENGTH = 500;

export interface SendResult {
  ok: boolean;
  statusCode: number | null;
  error: string | null;
  durationMs: number;
}

export interface SendRequest {
  url: string;
  secret: string;
  body: string;
  event: string;
  deliveryId: string;
  timeoutMs?: number;
}

export async function sendWebhook(req: SendRequest): Promise<SendResult> {
  const started = performance.now();
  const timestamp = String(Math.floor(Date.now() / 1000));
  const done = (statusCode: number | null, error: string | null): SendResult => ({
    ok: error === null && statusCode !== null && statusCode >= 200 && statusCode < 300,
    statusCode, error: error && error.slice(0, MAX_ERROR_LENGTH), durationMs: performance.now() - started,
  });
  try {
    const res = await fetch(req.url, {
      method: 'POST',
      redirect: 'manual',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'Cairn-Webhooks/1',
        'x-cairn-event': req.event,
        'x-cairn-delivery': req.deliveryId,
        'x-cairn-timestamp': timestamp,
        'x-cairn-signature': signWebhookBody(req.secret, timestamp, req.body),
      },
      body: req.body,
      signal: AbortSignal.timeout(req.timeoutMs ?? DEFAULT_WEBHOOK_TIMEOUT_MS),
    });
    // the receiver's answer is not used; drop it without buffering whatever it sends
    await res.body?.cancel().catch(() => undefined);
    return done(res.status, res.status >= 200 && res.status < 300 ? null : `HTTP ${res.status}`);
  } catch (err) {
    const e = err as Error & { cause?: { code?: string; message?: string } };
    const reason = e.name === 'TimeoutError' ? `timed out after ${req.timeoutMs ?? DEFAULT_WEBHOOK_TIMEOUT_MS} ms`
      : e.cause?.code ? `${e.cause.code}: ${e.cause.message ?? e.message}` : e.message;
    return done(null, reason);
  }
}
