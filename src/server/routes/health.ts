// Liveness and version endpoints, as MLflow's `/health` and `/version`.
import type { FastifyInstance } from 'fastify';
import { CAIRN_VERSION } from '../version.js';

const textReply = { response: { 200: { type: 'string' } } };

export async function healthRoutes(app: FastifyInstance): Promise<void> {
  app.get('/health', { schema: textReply }, async (_request, reply) =>
    reply.type('text/plain; charset=utf-8').send('OK'),
  );
  app.get('/version', { schema: textReply }, async (_request, reply) =>
    reply.type('text/plain; charset=utf-8').send(CAIRN_VERSION),
  );
}
