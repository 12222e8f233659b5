// The artifact proxy (`--serve-artifacts`): /mlflow-artifacts/artifacts download, upload, list, delete,
// streamed both ways so a large artifact is never held in memory.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Readable } from 'node:stream';
import { CairnError } from '../../core/errors.js';
import type { ArtifactRepository } from '../../artifacts/artifact-repository.js';
import { normalizeArtifactPath } from '../../artifacts/safe-path.js';
import { R } from '../response-schemas.js';
import type { RouteDeps } from '../route-deps.js';
import type { FromSchema } from '../schema-types.js';
import { sendArtifact } from '../send-artifact.js';

const pathParam = { type: 'object', properties: { '*': { type: 'string' } } } as const;
const listQuery = { type: 'object', properties: { path: { type: 'string' } } } as const;
type PathRoute = { Params: FromSchema<typeof pathParam> };

export async function mlflowArtifactRoutes(app: FastifyInstance, deps: RouteDeps): Promise<void> {
  // Uploads arrive with whatever content type the client guessed (application/json included):
  // in this plugin no body is ever parsed, the handler reads the raw stream.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_request, payload, done) => done(null, payload));

  function repository(): ArtifactRepository {
    if (!deps.serveArtifacts || !deps.artifactRepo) {
      throw new CairnError(
        'TEMPORARILY_UNAVAILABLE',
        'Endpoint disabled due to the server running with `--no-serve-artifacts`. Run `cairn server` with `--serve-artifacts` to enable it.',
      );
    }
    return deps.artifactRepo;
  }
  const artifactPath = (request: FastifyRequest<PathRoute>) => normalizeArtifactPath(request.params['*']);

  app.get<{ Querystring: FromSchema<typeof listQuery> }>(
    '/artifacts',
    {
      schema: { querystring: listQuery, response: { 200: R.proxyListArtifacts } },
    },
    async (request) => {
      const repo = repository();
      const rel = normalizeArtifactPath(request.query.path);
      const files = (await repo.list(rel)).map((f) => {
        const file: Record<string, unknown> = { path: f.path.split('/').pop(), is_dir: f.isDir };
        if (f.fileSize !== undefined) file.file_size = f.fileSize;
        return file;
      });
      return files.length > 0 ? { files } : {};
    },
  );

  app.get<PathRoute>('/artifacts/*', { schema: { params: pathParam } }, async (request, reply) => {
    const repo = repository();
    return sendArtifact(reply, repo, artifactPath(request));
  });

  app.put<PathRoute>('/artifacts/*', { schema: { params: pathParam } }, async (request) => {
    const repo = repository();
    const rel = artifactPath(request);
    const source = (request.body as Readable | undefined) ?? request.raw;
    try {
      await repo.write(rel, source);
    } catch (err) {
      if (err instanceof CairnError) throw err;
      // a client that hangs up mid-upload is not a server fault; the partial file is already gone
      if (request.raw.destroyed || (err as NodeJS.ErrnoException).code === 'ERR_STREAM_PREMATURE_CLOSE') {
        throw new CairnError('MALFORMED_REQUEST', 'Upload aborted before the request body was complete');
      }
      throw err;
    }
    return {};
  });

  app.delete<PathRoute>('/artifacts/*', { schema: { params: pathParam } }, async (request) => {
    const repo = repository();
    await repo.delete(artifactPath(request));
    return {};
  });

  // Multipart uploads need an object store behind them. MLflow's client falls back to a single PUT
  // when the error message starts with exactly this sentence.
  for (const action of ['create', 'complete', 'abort']) {
    app.post<PathRoute>(`/mpu/${action}/*`, { schema: { params: pathParam } }, async (request) => {
      repository();
      artifactPath(request);
      throw new CairnError('NOT_IMPLEMENTED', 'Multipart upload is not supported for the current artifact repository');
    });
  }
}
