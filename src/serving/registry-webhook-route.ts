// POST /webhooks/registry: the registry's webhook deliveries, so a server following models:/name@alias
// (or /<stage>, /latest) swaps as soon as the registry changes instead of at its next poll. The body is
// verified against X-Cairn-Signature (HMAC-SHA256 of timestamp + "." + raw body, the registry's scheme)
// before anything in it is trusted; an event about the served model triggers the follower's check — the
// same re-resolve, load and swap the poll timer runs.
import type { FastifyInstance } from 'fastify';
import { CairnError } from '../core/errors.js';
import { REGISTRY_EVENT_TYPES } from '../registry/webhooks/registry-events.js';
import { verifyWebhookSignature } from '../registry/webhooks/webhook-signature.js';
import { errorResponses } from './route-schemas.js';

export const REGISTRY_WEBHOOK_PATH = '/webhooks/registry';
export const WEBHOOK_SECRET_ENV = 'CAIRN_WEBHOOK_SECRET';
/** A delivery signed longer ago than this (or this far in the future) is refused as a replay. */
export const WEBHOOK_MAX_AGE_SECONDS = 300;

/** The registry events after which the URI may name another version. */
export const SWAP_EVENTS: ReadonlySet<string> = new Set([
  'MODEL_VERSION_CREATED',
  'MODEL_VERSION_TRANSITIONED_STAGE',
  'MODEL_VERSION_DELETED',
  'REGISTERED_MODEL_ALIAS_SET',
  'REGISTERED_MODEL_ALIAS_DELETED',
]);

/** A delivery whose signature is missing, malformed, wrong or too old: 401. */
export class Unauthenticated extends CairnError {
  constructor(message: string) {
    super('UNAUTHENTICATED', message);
  }
}

export interface RegistryWebhookOptions {
  secret: string;
  /** The registered model being followed (events about others are ignored). */
  modelName: () => string;
  /** Re-resolves the model URI now (the follower's check); resolves true when it swapped. */
  recheck: () => Promise<boolean>;
  /** Body bytes at most. */
  bodyLimit: number;
  now?: () => number;
}

const header = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);

/** Registers POST /webhooks/registry in its own context (it reads JSON as raw text, to check the signature). */
export async function registerRegistryWebhook(app: FastifyInstance, options: RegistryWebhookOptions): Promise<void> {
  const now = options.now ?? Date.now;
  await app.register(async (scope) => {
    scope.removeContentTypeParser('application/json');
    scope.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: options.bodyLimit }, (_r, b, done) =>
      done(null, b),
    );
    scope.post(REGISTRY_WEBHOOK_PATH, { schema: { response: errorResponses } }, async (request, reply) => {
      const raw = typeof request.body === 'string' ? request.body : '';
      const timestamp = header(request.headers['x-cairn-timestamp']);
      const signature = header(request.headers['x-cairn-signature']);
      if (!timestamp || !signature)
        throw new Unauthenticated('Missing X-Cairn-Timestamp or X-Cairn-Signature: registry deliveries are signed.');
      if (!/^\d{1,12}$/.test(timestamp))
        throw new Unauthenticated('X-Cairn-Timestamp must be the delivery time in Unix seconds.');
      if (!verifyWebhookSignature(options.secret, timestamp, raw, signature))
        throw new Unauthenticated(
          'X-Cairn-Signature does not match the body: check that --webhook-secret is the webhook secret.',
        );
      if (Math.abs(now() / 1000 - Number(timestamp)) > WEBHOOK_MAX_AGE_SECONDS)
        throw new Unauthenticated(
          `X-Cairn-Timestamp is more than ${WEBHOOK_MAX_AGE_SECONDS} s from this server's clock: refused as a replay.`,
        );
      let body: { event?: unknown; data?: { name?: unknown } };
      try {
        body = JSON.parse(raw);
      } catch {
        return reply.status(200).send({ status: 'ignored', reason: 'the body is not JSON' });
      }
      const event = typeof body?.event === 'string' ? body.event : '';
      const model = options.modelName();
      if (!(REGISTRY_EVENT_TYPES as readonly string[]).includes(event) || !SWAP_EVENTS.has(event))
        return reply
          .status(200)
          .send({ status: 'ignored', reason: `event '${event}' cannot change the served version` });
      if (body.data?.name !== model)
        return reply.status(200).send({ status: 'ignored', reason: `the event is not about '${model}'` });
      request.log.info({ event, model }, 'registry webhook: checking the model URI now');
      // the check loads the new version, which may outlast the sender's timeout: answer first
      void options.recheck();
      return reply.status(202).send({ status: 'checking', event, model });
    });
  });
}
