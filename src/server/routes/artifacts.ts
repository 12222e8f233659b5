// Run artifact endpoints of the tracking API: `artifacts/list`, the UI's `/get-artifact` download and
// `upload-artifact` upload.
import type { FastifyInstance } from 'fastify';
import { Readable } from 'node:stream';
import { InvalidParameter } from '../../core/errors.js';
import { normalizeArtifactPath } from '../../artifacts/safe-path.js';
import { R } from '../response-schemas.js';
import type { FromSchema } from '../schema-types.js';
import { S, has, runIdOf } from '../mlflow-route.js';
import type { RouteDeps } from '../route-deps.js';
import { joinArtifactPath } from '../../artifacts/artifact-path.js';
import { resolveRunArtifactRoot } from '../run-artifacts.js';
import { sendArtifact } from '../send-artifact.js';
import { typedRoute } from '../typed-route.js';

/** Registered under each tracking prefix. */
export async function artifactListRoutes(app: FastifyInstance, deps: RouteDeps): Promise<void> {
  typedRoute(app, {
    methods: ['GET'],
    url: '/artifacts/list',
    response: R.listArtifacts,
    fields: { run_id: S.string, run_uuid: S.string, path: S.string, page_token: S.string },
    handler: async (input) => {
      const relPath = has(input, 'path') ? normalizeArtifactPath(input.path) : '';
      const run = await deps.store.getRun(runIdOf(input));
      const { repo, basePath } = resolveRunArtifactRoot(deps, run.info.artifactUri);
      const entries = await repo.list(joinArtifactPath(basePath, relPath));
      const files = entries.map((f) => {
        const name = f.path.split('/').pop() as string;
        const file: Record<string, unknown> = { path: joinArtifactPath(relPath, name), is_dir: f.isDir };
        if (f.fileSize !== undefined) file.file_size = f.fileSize;
        return file;
      });
      const out: Record<string, unknown> = { root_uri: run.info.artifactUri };
      if (files.length > 0) out.files = files;
      return out;
    },
  });
}

/** Registered at the server root, as MLflow's `/get-artifact`. */
export async function getArtifactRoutes(app: FastifyInstance, deps: RouteDeps): Promise<void> {
  typedRoute(app, {
    methods: ['GET'],
    url: '/get-artifact',
    fields: { run_id: S.string, run_uuid: S.string, path: S.requiredString },
    required: ['path'],
    handler: async (input, _request, reply) => {
      const relPath = normalizeArtifactPath(input.path);
      const run = await deps.store.getRun(runIdOf(input));
      const { repo, basePath } = resolveRunArtifactRoot(deps, run.info.artifactUri);
      return sendArtifact(reply, repo, joinArtifactPath(basePath, relPath));
    },
  });
}

/** The UI's small-file upload (MLflow caps it at 10 MB). */
export const UI_UPLOAD_LIMIT = 10 * 1024 * 1024;

async function* limitBytes(source: AsyncIterable<Buffer>, limit: number): AsyncGenerator<Buffer> {
  let total = 0;
  for await (const chunk of source) {
    total += chunk.length;
    if (total > limit)
      throw new InvalidParameter(`Artifact size is too large. Max size is ${limit / (1024 * 1024)}MB.`);
    yield chunk;
  }
}

/** Registered under /ajax-api/2.0/mlflow, as MLflow's `upload-artifact` (query run_uuid, path; raw body). */
export async function uploadArtifactRoutes(app: FastifyInstance, deps: RouteDeps): Promise<void> {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_request, payload, done) => done(null, payload));
  const uploadQuery = { type: 'object', properties: { run_uuid: S.string, path: S.string } } as const;
  app.post<{ Querystring: FromSchema<typeof uploadQuery> }>(
    '/upload-artifact',
    {
      schema: { querystring: uploadQuery },
    },
    async (request) => {
      const { run_uuid: runId, path: rawPath } = request.query;
      // MLflow's own wording (upload_artifact_handler), which its UI and tests match on
      if (!runId) throw new InvalidParameter('Request must specify run_uuid.');
      if (!rawPath) throw new InvalidParameter('Request must specify path.');
      const relPath = normalizeArtifactPath(rawPath);
      if (Number(request.headers['content-length'] ?? 0) > UI_UPLOAD_LIMIT) {
        throw new InvalidParameter('Artifact size is too large. Max size is 10MB.');
      }
      if (request.body === undefined) throw new InvalidParameter('Request must specify data.');
      const run = await deps.store.getRun(runId);
      const { repo, basePath } = resolveRunArtifactRoot(deps, run.info.artifactUri);
      const source = Readable.from(limitBytes(request.body as Readable, UI_UPLOAD_LIMIT));
      const written = await repo.write(joinArtifactPath(basePath, relPath), source);
      if (written === 0) {
        await repo.delete(joinArtifactPath(basePath, relPath));
        throw new InvalidParameter('Request must specify data.');
      }
      return {};
    },
  );
}
