// Webhook limits and rules as named constants: http(s) URLs only, known event names, bounded sizes.
import { InvalidParameter } from '../../core/errors.js';
import { ALLOW_PRIVATE_ENV, isNonPublicLiteralHost, privateWebhookAddressesAllowed } from './public-address.js';
import {
  EXTERNAL_EVENT_TYPES,
  type ExternalEventType,
  REGISTRY_EVENT_TYPES,
  type RegistryEvent,
  type RegistryEventType,
} from './registry-events.js';

export const MAX_WEBHOOK_URL_LENGTH = 2000;
export const MAX_WEBHOOK_NAME_LENGTH = 256;
export const MAX_WEBHOOK_DESCRIPTION_LENGTH = 1000;
export const MIN_WEBHOOK_SECRET_LENGTH = 8;
export const MAX_WEBHOOK_SECRET_LENGTH = 256;
export const MAX_DELIVERY_RESULTS = 1000;
export const DEFAULT_DELIVERY_RESULTS = 100;

/**
 * An http(s) URL without credentials. Unless private networks are allowed, a host that is an IP
 * literal must be public and `localhost` is refused; host names are checked when a delivery connects.
 */
export function validateWebhookUrl(url: unknown, allowPrivateAddresses = privateWebhookAddressesAllowed()): string {
  if (typeof url !== 'string' || url === '') throw new InvalidParameter("Missing value for required parameter 'url'.");
  if (url.length > MAX_WEBHOOK_URL_LENGTH) {
    throw new InvalidParameter(`Invalid value for parameter 'url': longer than ${MAX_WEBHOOK_URL_LENGTH} characters.`);
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new InvalidParameter(`Invalid value for parameter 'url': '${url}' is not an absolute URL.`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new InvalidParameter(
      `Invalid value for parameter 'url': only http and https URLs are allowed, got '${parsed.protocol.slice(0, -1)}'.`,
    );
  }
  if (parsed.hostname === '') throw new InvalidParameter(`Invalid value for parameter 'url': '${url}' has no host.`);
  if (parsed.username || parsed.password) {
    throw new InvalidParameter(
      "Invalid value for parameter 'url': credentials in the URL are not allowed (use the secret to authenticate).",
    );
  }
  if (!allowPrivateAddresses && isNonPublicLiteralHost(parsed.hostname)) {
    throw new InvalidParameter(
      `Invalid value for parameter 'url': '${parsed.hostname}' is not a public address; ` +
        `set ${ALLOW_PRIVATE_ENV}=true on the server to allow loopback and private networks.`,
    );
  }
  return url;
}

export function validateWebhookEvents(events: unknown): RegistryEventType[] {
  if (!Array.isArray(events) || events.length === 0) {
    throw new InvalidParameter(
      `Missing value for required parameter 'events': give at least one of ${REGISTRY_EVENT_TYPES.join(', ')}.`,
    );
  }
  for (const e of events) {
    if (!REGISTRY_EVENT_TYPES.includes(e as RegistryEventType)) {
      throw new InvalidParameter(
        `Invalid value for parameter 'events': unknown event '${String(e)}'. ` +
          `Valid events are ${REGISTRY_EVENT_TYPES.join(', ')}.`,
      );
    }
  }
  return [...new Set(events as RegistryEventType[])];
}

export function validateWebhookSecret(secret: unknown): string {
  if (
    typeof secret !== 'string' ||
    secret.length < MIN_WEBHOOK_SECRET_LENGTH ||
    secret.length > MAX_WEBHOOK_SECRET_LENGTH
  ) {
    throw new InvalidParameter(
      `Invalid value for parameter 'secret': ` +
        `must be ${MIN_WEBHOOK_SECRET_LENGTH} to ${MAX_WEBHOOK_SECRET_LENGTH} characters.`,
    );
  }
  return secret;
}

export function validateOptionalText(field: string, value: unknown, max: number): string | null {
  if (value === undefined || value === null || value === '') return null;
  if (typeof value !== 'string' || value.length > max) {
    throw new InvalidParameter(
      `Invalid value for parameter '${field}': must be a string of at most ${max} characters.`,
    );
  }
  return value;
}

/** The `data` fields each external event must carry, with their rule. */
const EXTERNAL_EVENT_FIELDS: Record<ExternalEventType, Record<string, [(v: unknown) => boolean, string]>> = {
  MODEL_DRIFT_DETECTED: {
    name: [(v) => typeof v === 'string' && v !== '', 'a non-empty string, the registered model'],
    version: [(v) => typeof v === 'string' && /^[1-9][0-9]*$/.test(v), 'a model version number as a string'],
    run_id: [(v) => v === null || (typeof v === 'string' && v !== ''), 'the monitoring run id, or null'],
    drift_share: [(v) => typeof v === 'number' && v >= 0 && v <= 1, 'a number from 0 to 1'],
    drifted_features: [(v) => Array.isArray(v) && v.every((f) => typeof f === 'string'), 'an array of feature names'],
  },
};

/** An event recorded on its own (not by a registry write): its type, model and payload. */
export function validateExternalEvent(event: RegistryEvent): RegistryEvent {
  if (!EXTERNAL_EVENT_TYPES.includes(event.event as ExternalEventType)) {
    throw new InvalidParameter(
      `Invalid value for parameter 'event': '${String(event.event)}' cannot be recorded on its own ` +
        `(registry changes record their own events). Valid events are ${EXTERNAL_EVENT_TYPES.join(', ')}.`,
    );
  }
  if (typeof event.modelName !== 'string' || event.modelName === '')
    throw new InvalidParameter("Missing value for required parameter 'name'.");
  const data = event.data;
  if (typeof data !== 'object' || data === null || Array.isArray(data))
    throw new InvalidParameter("Invalid value for parameter 'data': must be a JSON object.");
  for (const [field, [ok, rule]] of Object.entries(EXTERNAL_EVENT_FIELDS[event.event as ExternalEventType])) {
    if (!ok(data[field])) throw new InvalidParameter(`Invalid value for parameter 'data.${field}': must be ${rule}.`);
  }
  if (data.name !== event.modelName)
    throw new InvalidParameter(
      `Invalid value for parameter 'data.name': must equal the event's model '${event.modelName}'.`,
    );
  return event;
}
