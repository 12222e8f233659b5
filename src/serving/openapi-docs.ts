// GET /docs: the scoring API as OpenAPI 3.1 (@fastify/swagger, from the routes' schemas) with the
// request record generated from the served model's signature, and an interactive page
// (@fastify/swagger-ui). Registered before the routes, so every route is collected.
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { CAIRN_PACKAGE_VERSION } from '../models/package/package-version.js';
import type { ModelSlot } from './app.js';
import { recordSchema } from './route-schemas.js';

export const DOCS_PREFIX = '/docs';

export async function registerDocs(app: FastifyInstance, slot: ModelSlot): Promise<void> {
  const served = slot.current.served;
  const record = recordSchema(served.model.signature.inputs);
  const example = served.model.inputExample;
  const exampleRecord =
    example && example.data.length > 0
      ? Object.fromEntries(example.columns.map((c, j) => [c, example.data[0][j]]))
      : undefined;
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: `Cairn scoring API: ${served.name}`,
        version: CAIRN_PACKAGE_VERSION,
        description:
          `Serves ${served.uri} (version ${served.version}). POST /predict takes one record or a list of records ` +
          'with the fields below; POST /invocations speaks MLflow’s scoring protocol.',
      },
    },
    // the record's fields come from the signature (the handler's own validator enforces them with named messages)
    transform: ({ schema, url }) => {
      if (url !== '/predict') return { schema, url };
      const body = {
        oneOf: [record, { type: 'array', items: record }],
        ...(exampleRecord ? { examples: [exampleRecord] } : {}),
      };
      return { schema: { ...schema, body }, url };
    },
  });
  await app.register(swaggerUi, { routePrefix: DOCS_PREFIX });
}
