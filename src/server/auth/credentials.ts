// Reads the Authorization header MLflow's client sends: HTTP Basic (MLFLOW_TRACKING_USERNAME /
// MLFLOW_TRACKING_PASSWORD) or a bearer token (MLFLOW_TRACKING_TOKEN). Anything else, including
// malformed base64, a missing colon, an empty name or an oversized header, reads as no credential.
export type Credential = { kind: 'basic'; username: string; password: string } | { kind: 'bearer'; token: string };

/** Longer Authorization headers are refused without decoding (a password is at most 1 KiB). */
export const MAX_AUTHORIZATION_LENGTH = 4096;
const BASIC = /^basic[ ]+([A-Za-z0-9+/]+={0,2})[ ]*$/i;
const BEARER = /^bearer[ ]+([\x21-\x7e]+)[ ]*$/i;

export function parseAuthorization(header: string | undefined): Credential | undefined {
  if (header === undefined || header.length > MAX_AUTHORIZATION_LENGTH) return undefined;
  const bearer = BEARER.exec(header);
  if (bearer) return { kind: 'bearer', token: bearer[1] };
  const basic = BASIC.exec(header);
  if (!basic || basic[1].length % 4 !== 0) return undefined;
  const bytes = Buffer.from(basic[1], 'base64');
  let decoded: string;
  try {
    decoded = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
  const colon = decoded.indexOf(':');
  if (colon <= 0) return undefined;
  return { kind: 'basic', username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}
