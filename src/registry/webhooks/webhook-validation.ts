// Webhook limits and rules as named constants: http(s) URLs only, known event names, bounded sizes.
import { InvalidParameter } from '../../core/errors.js';
import { ALLOW_PRIVATE_ENV, isNonPublicLiteralHost, privateWebhookAddressesAllowed } from './public-address.js';
import { REGISTRY_EVENT_TYPES, type RegistryEventType } from './registry-events.js';

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
