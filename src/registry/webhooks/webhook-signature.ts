// The delivery signature: `sha256=<hex HMAC-SHA256(secret, timestamp + "." + body)>`, as receivers
// recompute it (Stripe's scheme: the timestamp is signed so an old delivery cannot be replayed as new).
import { createHmac, timingSafeEqual } from 'node:crypto';

export function signWebhookBody(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** Constant-time check of a received `X-Cairn-Signature` header. */
export function verifyWebhookSignature(secret: string, timestamp: string, body: string, signature: string): boolean {
  const expected = Buffer.from(signWebhookBody(secret, timestamp, body));
  const got = Buffer.from(signature);
  return expected.length === got.length && timingSafeEqual(expected, got);
}
