// Builds the Fastify app: MLflow's tracking and model registry REST APIs under their prefixes, the
// artifact proxy, health.
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyRequest } from 'fastify';
import type { IncomingMessage } from 'node:http';
import { realpathSync } from 'node:fs';
import path from 'node:path';
import type { ArtifactRepository } from '../artifacts/artifact-repository.js';
import { LocalArtifactRepository } from '../artifacts/local-artifact-repository.js';
import type { RegistryStore } from '../registry/store.js';
import type { WebhookStore } from '../registry/webhooks/store.js';
import type { TrackingStore } from '../tracking/store.js';
import { ARTIFACT_PREFIXES, TRACKING_PREFIXES } from './app-prefixes.js';
import { clientErrorHandler, frameworkErrorHandler, installErrorHandling } from './error-handler.js';
import { parseJsonBody, readBodyText, refuseNulCharacters } from './json-body.js';
import { mergeSlashes, redirectMergedSlashes } from './merged-slashes.js';
import { protoTypePlugin } from './request-types.js';
import type { LocalArtifactRoot, RouteDeps, UriArtifactRoot } from './route-deps.js';
import { SearchBodyCache } from './search-body-cache.js';
import { artifactListRoutes, getArtifactRoutes, uploadArtifactRoutes } from './routes/artifacts.js';
import { cairnRegistryRoutes } from './routes/cairn-registry.js';
import { experimentRoutes } from './routes/experiments.js';
import { healthRoutes } from './routes/health.js';
import { metricRoutes } from './routes/metrics.js';
import { modelVersionArtifactRoutes, modelVersionRoutes } from './routes/model-versions.js';
import { registeredModelRoutes } from './routes/registered-models.js';
import { mlflowArtifactRoutes } from './routes/mlflow-artifacts.js';
import { runLoggingRoutes } from './routes/run-logging.js';
import { runRoutes } from './routes/runs.js';
import { webhookRoutes } from './routes/webhooks.js';
import { uiPlugin } from './ui-plugin.js';
import { installAuth, type ServerAuth } from './auth/auth-hooks.js';
import { authRoutes, tokenRoutes } from './routes/auth.js';

export { ARTIFACT_PREFIXES, TRACKING_PREFIXES } from './app-prefixes.js';
/** Default JSON body limit; log-batch and log-inputs raise their own. */
const JSON_BODY_LIMIT = 4 * 1024 * 1024;

export interface BuildAppOptions {
  store: TrackingStore;
  /** The model registry (same database as `store`); without it the registry endpoints are absent. */
  registry?: RegistryStore;
  /** Registry webhooks (same database); without it the webhook endpoints are absent. */
  webhooks?: WebhookStore;
  /** The `--artifacts-destination` repository; required when `serveArtifacts`. */
  artifactRepo?: ArtifactRepository;
  serveArtifacts: boolean;
  /** Local directories whose run artifact roots the server may read (default: none). */
  localArtifactDirs?: string[];
  /** Object-store roots (s3://…) whose run artifact roots the server may read (default: none). */
  uriArtifactRoots?: UriArtifactRoot[];
  /** A pino logger; or a level name for a JSON logger on stdout. Default 'info'. */
  logger?: FastifyBaseLogger;
  logLevel?: string;
  /** `--auth`: every request authenticated and checked against the caller's permissions (auth-hooks.ts). */
  auth?: ServerAuth;
}

async function openLocalRoots(dirs: string[]): Promise<LocalArtifactRoot[]> {
  const roots: LocalArtifactRoot[] = [];
  for (const dir of dirs) {
    const repo = await LocalArtifactRepository.open(dir);
    // a run URI may spell the directory either way (e.g. /tmp vs its symlink target)
    const spellings = new Set([path.resolve(dir), realpathSync(dir)]);
    for (const root of spellings) roots.push({ root, repo });
  }
  return roots;
}

export async function buildApp(options: BuildAppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    ...(options.logger ? { loggerInstance: options.logger } : { logger: { level: options.logLevel ?? 'info' } }),
    // one line per request at debug level (below), not Fastify's two at info
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: JSON_BODY_LIMIT,
    // keep-alive sockets are closed on shutdown only once idle, so in-flight requests finish
    forceCloseConnections: 'idle',
    // replaced by the onRequest hook below, which answers in MLflow's error format
    return503OnClosing: false,
    routerOptions: { ignoreTrailingSlash: true },
    // `//model-versions/…` reaches its route as in MLflow (see merged-slashes.ts)
    rewriteUrl: mergeSlashes,
    // request fields such as `value` are number-or-string, as protobuf JSON allows; `protoType`
    // (request-types.ts) types MLflow's messages, so its `properties`/`items` need no `type` beside them
    ajv: { customOptions: { allowUnionTypes: true, strictTypes: false }, plugins: [protoTypePlugin] },
    clientErrorHandler,
    frameworkErrors: frameworkErrorHandler,
  });

  // MLflow answers any non-JSON body on its JSON endpoints with 400 "Content-Type must be ..."
  app.removeContentTypeParser('text/plain');

  app.removeContentTypeParser('application/json');
  app.addContentTypeParser(
    'application/json',
    (request: FastifyRequest, payload: IncomingMessage, done: (err: Error | null, body?: unknown) => void) => {
      readBodyText(payload, request.routeOptions.bodyLimit ?? JSON_BODY_LIMIT, (err, text) => {
        if (err) {
          done(err, undefined);
          return;
        }
        try {
          done(null, parseJsonBody(text as string));
        } catch (parseErr) {
          done(parseErr as Error, undefined);
        }
      });
    },
  );

  // a NUL character can also arrive percent-encoded in a query string or a path segment
  app.addHook('preValidation', (request, _reply, done) => {
    if (!request.url.includes('%00')) {
      done();
      return;
    }
    try {
      refuseNulCharacters(request.params);
      refuseNulCharacters(request.query);
      done();
    } catch (err) {
      done(err as Error);
    }
  });

  if (['debug', 'trace'].includes(app.log.level)) {
    app.addHook('onResponse', (request, reply, done) => {
      request.log.debug(
        { method: request.method, url: request.url, status: reply.statusCode, ms: Math.round(reply.elapsedTime) },
        'request',
      );
      done();
    });
  }

  // During shutdown, responses to in-flight requests close their connection so the process does
  // not wait out the keep-alive timeout before exiting.
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (closing) reply.header('Connection', 'close');
    done(null, payload);
  });
  // a request arriving on a kept-alive connection after shutdown began is turned away
  app.addHook('onRequest', (_request, reply, done) => {
    if (!closing) {
      done();
      return;
    }
    void reply.status(503).header('Connection', 'close').send({
      error_code: 'TEMPORARILY_UNAVAILABLE',
      message: 'The server is shutting down; retry on another instance or after restart.',
    });
  });

  installErrorHandling(app);
  app.addHook('onRequest', redirectMergedSlashes);

  const deps: RouteDeps = {
    store: options.store,
    registry: options.registry,
    artifactRepo: options.artifactRepo,
    serveArtifacts: options.serveArtifacts,
    localArtifactRoots: await openLocalRoots(options.localArtifactDirs ?? []),
    uriArtifactRoots: options.uriArtifactRoots ?? [],
    searchBodies: new SearchBodyCache(),
  };

  // before every route, so the hooks cover them all
  const unruled = options.auth ? installAuth(app, options.auth, options.store) : [];
  app.decorate('authUnruledRoutes', unruled);

  await app.register(healthRoutes);
  await app.register(getArtifactRoutes, deps);
  if (deps.registry) await app.register(modelVersionArtifactRoutes, deps);
  for (const prefix of TRACKING_PREFIXES) {
    await app.register(
      async (scope) => {
        await scope.register(experimentRoutes, deps);
        await scope.register(runRoutes, deps);
        await scope.register(runLoggingRoutes, deps);
        await scope.register(metricRoutes, deps);
        await scope.register(artifactListRoutes, deps);
        if (deps.registry) {
          await scope.register(registeredModelRoutes, deps);
          await scope.register(modelVersionRoutes, deps);
        }
        if (options.auth) await scope.register(authRoutes, { auth: options.auth.store });
      },
      { prefix },
    );
  }
  if (deps.registry) await app.register(cairnRegistryRoutes, { ...deps, prefix: '/api/2.0/cairn' });
  if (options.webhooks) await app.register(webhookRoutes, { prefix: '/api/2.0/cairn', webhooks: options.webhooks });
  if (options.auth) await app.register(tokenRoutes, { prefix: '/api/2.0/cairn', auth: options.auth.store });
  await app.register(uploadArtifactRoutes, { ...deps, prefix: '/ajax-api/2.0/mlflow' });
  for (const prefix of ARTIFACT_PREFIXES) {
    await app.register(mlflowArtifactRoutes, { ...deps, prefix });
  }
  await app.register(uiPlugin);
  return app;
}
