// Who is calling, for the registry audit trail: with --auth the verified user; otherwise the
// `X-Cairn-User` header, else the user of HTTP basic auth, else undefined (the store records
// 'unknown'). Without --auth this is not authentication: nothing is verified here.
import type { FastifyRequest } from 'fastify';
import type { ChangeContext } from '../registry/store.js';
import type { Input } from './mlflow-route.js';

export const USER_HEADER = 'x-cairn-user';

export function requestUser(request: FastifyRequest): string | undefined {
  if (request.authUser) return request.authUser.username;
  const header = request.headers[USER_HEADER];
  const named = (Array.isArray(header) ? header[0] : header)?.trim();
  if (named) return named;
  const auth = request.headers.authorization;
  const basic = auth && /^basic\s+(\S+)$/i.exec(auth);
  if (basic) {
    const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
    const user = decoded.includes(':') ? decoded.slice(0, decoded.indexOf(':')) : decoded;
    if (user.trim()) return user.trim();
  }
  return undefined;
}

/** Request fields shared by governed registry writes: `reason` (or `comment`) and `force`. */
export const CHANGE_FIELDS = {
  reason: { type: 'string' },
  comment: { type: 'string' },
  force: { type: 'boolean' },
} as const;

export function changeContext(request: FastifyRequest, input: Input = {}): ChangeContext {
  const reason =
    typeof input.reason === 'string' && input.reason !== ''
      ? input.reason
      : typeof input.comment === 'string' && input.comment !== ''
        ? input.comment
        : undefined;
  return { user: requestUser(request), reason, force: input.force === true };
}
