// Opaque page tokens: base64 of `{"offset": n}`, the same shape MLflow's SQL store issues.
import { InvalidParameter } from '../../core/errors.js';

export function encodePageToken(offset: number): string {
  return Buffer.from(JSON.stringify({ offset }), 'utf8').toString('base64');
}

/** Decodes a page token into an offset; absent token means offset 0, a malformed one is rejected. */
export function decodePageToken(token: string | undefined | null): number {
  if (token === undefined || token === null || token === '') return 0;
  if (!/^[A-Za-z0-9+/=_-]+$/.test(token)) {
    throw new InvalidParameter(`Invalid page token, could not base64-decode: '${token}'`);
  }
  const decoded = Buffer.from(token, 'base64').toString('utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(decoded);
  } catch {
    throw new InvalidParameter(`Invalid page token, decoded value=${JSON.stringify(decoded)}`);
  }
  const offset = (parsed as { offset?: unknown } | null)?.offset;
  if (typeof offset !== 'number' || !Number.isSafeInteger(offset) || offset < 0) {
    throw new InvalidParameter(
      `Invalid page token, parsed value=${JSON.stringify(parsed)}: offset must be a non-negative integer`,
    );
  }
  return offset;
}
