// Doubled slashes in a request path, handled as MLflow's server (Werkzeug) handles them: leading ones
// are collapsed and the request answered (`//model-versions/get-artifact?...`), a doubled slash
// further in is a 308 redirect to the merged path when that path names an endpoint (clients follow
// it, body and method kept), and inside the file path of an artifact route it is part of that path.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { IncomingMessage } from 'node:http';

/** Requests whose path had a doubled slash after its first character, merged by the rewrite. */
const merged = new WeakSet<IncomingMessage>();

/** Fastify's `rewriteUrl`: the URL with every run of slashes in its path merged into one. */
export function mergeSlashes(req: IncomingMessage): string {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const pathPart = q < 0 ? url : url.slice(0, q);
  if (!pathPart.includes('//')) return url;
  const leadingOnly = !pathPart.replace(/^\/+/, '/').includes('//');
  if (!leadingOnly) merged.add(req);
  return pathPart.replace(/\/{2,}/g, '/') + (q < 0 ? '' : url.slice(q));
}

/** onRequest hook: a path merged past its start is redirected, unless the slashes lie in a wildcard's tail. */
export function redirectMergedSlashes(request: FastifyRequest, reply: FastifyReply, done: () => void): void {
  if (!merged.has(request.raw) || request.is404) {
    done();
    return;
  }
  const pattern = request.routeOptions.url ?? '';
  const original = request.originalUrl.split('?')[0].replace(/^\/+/, '/');
  if (pattern.endsWith('*') && original.startsWith(pattern.slice(0, -1))) {
    done();
    return;
  }
  void reply.redirect(request.url, 308);
}
