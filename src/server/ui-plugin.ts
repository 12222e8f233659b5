// Serves the built web UI (`dist/ui`, written by `vite build --config ui/vite.config.ts`) at `/`:
// hashed assets as immutable files, index.html (never cached) for every client route. The client
// routes are listed, not caught by a wildcard, so an unknown `/api/...` path keeps its JSON 404.
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The UI's own paths (ui/src/routes.ts); each answers index.html and the router takes over. */
export const UI_CLIENT_ROUTES = [
  '/',
  '/experiments',
  '/experiments/*',
  '/runs/*',
  '/compare',
  '/models',
  '/models/*',
  '/webhooks',
  '/monitoring',
  '/monitoring/*',
];

/** Where the build lands: two levels above this module is the package root, in src/ and in dist/. */
export function defaultUiDir(): string {
  return process.env.CAIRN_UI_DIR || path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../dist/ui');
}

export const UI_NOT_BUILT_MESSAGE =
  'The Cairn web UI is not built. Build it with `npm run build:ui` ' +
  '(or `npx vite build --config ui/vite.config.ts`) from the package root; the server picks it up without a restart.\n' +
  'The REST API is served under /api/2.0/mlflow/ as usual.\n';

export interface UiPluginOptions {
  /** The directory holding index.html and assets/ (default: defaultUiDir()). */
  uiDir?: string;
}

export async function uiPlugin(app: FastifyInstance, options: UiPluginOptions = {}): Promise<void> {
  const uiDir = options.uiDir ?? defaultUiDir();
  // Vite names every file under assets/ by its content hash, so a cached copy can never be stale.
  await app.register(fastifyStatic, {
    root: path.join(uiDir, 'assets'),
    prefix: '/assets/',
    maxAge: '365d',
    immutable: true,
    decorateReply: false,
    index: false,
    suppressWarning: true,
  });

  // read per request (a few KB) so a rebuild is served at once and a missing build is reported
  const sendIndex = async (reply: FastifyReply) => {
    let html: string;
    try {
      html = await readFile(path.join(uiDir, 'index.html'), 'utf8');
    } catch {
      // 200, not a 4xx: the server itself is fine, and every 4xx it sends carries a JSON error_code
      return reply.header('cache-control', 'no-cache').type('text/plain; charset=utf-8').send(UI_NOT_BUILT_MESSAGE);
    }
    return reply.header('cache-control', 'no-cache').type('text/html; charset=utf-8').send(html);
  };
  for (const url of UI_CLIENT_ROUTES) {
    app.get(url, async (_request, reply) => sendIndex(reply));
  }
}
