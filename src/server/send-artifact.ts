// Streams one artifact file as an attachment (never rendered inline on the server's origin, as MLflow).
import type { FastifyReply } from 'fastify';
import type { ArtifactRepository } from '../artifacts/artifact-repository.js';
import { guessMimeType } from '../artifacts/mime-type.js';

export async function sendArtifact(
  reply: FastifyReply,
  repo: ArtifactRepository,
  artifactPath: string,
): Promise<FastifyReply> {
  const { stream, size } = await repo.openRead(artifactPath);
  const filename = artifactPath.split('/').pop() ?? artifactPath;
  return reply
    .header('Content-Type', guessMimeType(filename))
    .header('Content-Length', size)
    .header('Content-Disposition', `attachment; filename=${encodeURIComponent(filename)}`)
    .header('X-Content-Type-Options', 'nosniff')
    .send(stream);
}
