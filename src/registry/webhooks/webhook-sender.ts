// Sends one webhook POST: the stored body, signed with the webhook's secret, bounded by a timeout.
// Redirects are not followed (a receiver must answer itself); any 2xx counts as delivered.
// Unless private networks are allowed, the address is checked where the socket connects: the host
// name is resolved once, by our own lookup, and the connection goes to exactly the address that
// passed, so a name cannot answer public for a check and private for the request (DNS rebinding).
import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import {
  ALLOW_PRIVATE_ENV,
  bareHost,
  isNonPublicLiteralHost,
  isPublicAddress,
  privateWebhookAddressesAllowed,
} from './public-address.js';
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
  /** Allow loopback, private and link-local receivers; default from CAIRN_WEBHOOK_ALLOW_PRIVATE_IPS. */
  allowPrivateAddresses?: boolean;
}

/** A receiver refused by the address policy: never connected to. */
export class BlockedAddressError extends Error {
  readonly code = 'EBLOCKED';
  constructor(host: string, address: string) {
    super(
      `${host === address ? address : `${host} (${address})`} is not a public address; ` +
        `set ${ALLOW_PRIVATE_ENV}=true on the server to allow private networks`,
    );
  }
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** dns.lookup that fails when any address of the name is not public (net.connect calls it with `all` or not). */
function publicOnlyLookup(hostname: string, options: LookupOptions, callback: LookupCallback): void {
  dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) {
      callback(err, []);
      return;
    }
    const blocked = addresses.find((a) => !isPublicAddress(a.address));
    if (blocked || addresses.length === 0) {
      callback(new BlockedAddressError(hostname, blocked?.address ?? 'no address'), []);
      return;
    }
    if (options.all) callback(null, addresses);
    else callback(null, addresses[0].address, addresses[0].family);
  });
}

export async function sendWebhook(req: SendRequest): Promise<SendResult> {
  const started = performance.now();
  const timeoutMs = req.timeoutMs ?? DEFAULT_WEBHOOK_TIMEOUT_MS;
  const timestamp = String(Math.floor(Date.now() / 1000));
  const done = (statusCode: number | null, error: string | null): SendResult => ({
    ok: error === null && statusCode !== null && statusCode >= 200 && statusCode < 300,
    statusCode,
    error: error && error.slice(0, MAX_ERROR_LENGTH),
    durationMs: performance.now() - started,
  });
  try {
    const url = new URL(req.url);
    const guarded = !(req.allowPrivateAddresses ?? privateWebhookAddressesAllowed());
    if (guarded && isNonPublicLiteralHost(url.hostname)) {
      const host = bareHost(url.hostname);
      throw new BlockedAddressError(host, isIP(host) !== 0 ? host : 'loopback');
    }
    const status = await post(
      url,
      {
        'content-type': 'application/json',
        'content-length': String(Buffer.byteLength(req.body)),
        'user-agent': 'Cairn-Webhooks/1',
        'x-cairn-event': req.event,
        'x-cairn-delivery': req.deliveryId,
        'x-cairn-timestamp': timestamp,
        'x-cairn-signature': signWebhookBody(req.secret, timestamp, req.body),
      },
      req.body,
      timeoutMs,
      guarded,
    );
    return done(status, status >= 200 && status < 300 ? null : `HTTP ${status}`);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const reason =
      e.name === 'TimeoutError' ? `timed out after ${timeoutMs} ms` : e.code ? `${e.code}: ${e.message}` : e.message;
    return done(null, reason);
  }
}

/** One POST on a fresh connection; resolves with the status once the answer's headers arrived. */
function post(
  url: URL,
  headers: Record<string, string>,
  body: string,
  timeoutMs: number,
  guarded: boolean,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const client = url.protocol === 'https:' ? https : http;
    const request = client.request(
      url,
      {
        method: 'POST',
        headers,
        agent: false,
        ...(guarded ? { lookup: publicOnlyLookup } : {}),
      },
      (res) => {
        clearTimeout(timer);
        // the receiver's answer is not used; drop it without buffering whatever it sends
        res.resume();
        res.on('error', () => undefined);
        resolve(res.statusCode ?? 0);
        request.destroy();
      },
    );
    const timer = setTimeout(() => {
      const err = new Error(`timed out after ${timeoutMs} ms`);
      err.name = 'TimeoutError';
      request.destroy(err);
    }, timeoutMs);
    request.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    request.end(body);
  });
}
