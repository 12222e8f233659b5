// The scoring server's one error mapper: CairnError → its status and MLflow's {error_code, message};
// framework errors (bad JSON, body too large, unknown content type, schema) → 4xx, never a 500 for input.
import type { FastifyError, FastifyInstance } from 'fastify';
import { CairnError } from '../core/errors.js';

/** A request over a size limit (body bytes or batch records): HTTP 413 with MLflow's error body. */
export class PayloadTooLarge extends CairnError {
  constructor(message: string) {
    super('INVALID_PARAMETER_VALUE', message);
  }
  override get httpStatus(): number {
    return 413;
  }
}

/** An unsupported Content-Type: HTTP 415, with MLflow's scoring-server wording. */
export class UnsupportedMediaType extends CairnError {
  constructor(message: string) {
    super('BAD_REQUEST', message);
  }
  override get httpStatus(): number {
    return 415;
  }
}

export const CONTENT_TYPES = ['text/csv', 'application/json'];

export function unsupportedMediaType(got: string | undefined): UnsupportedMediaType {
  return new UnsupportedMediaType(
    `This predictor only supports the following content types: Types: ['text/csv', 'application/json']. Got '${got ?? ''}'.`,
  );
}

const MAX_MESSAGE = 2000;

export function installServingErrors(app: FastifyInstance, bodyLimit: number): void {
  app.setErrorHandler((error: FastifyError | CairnError, request, reply) => {
    let status: number;
    let code: string;
    let message: string;
    const fe = error as FastifyError & { validation?: { instancePath: string; message?: string }[] };
    if (error instanceof CairnError) {
      status = error.httpStatus;
      code = error.errorCode;
      message = error.message;
    } else if (fe.validation && fe.validation.length > 0) {
      const issue = fe.validation[0];
      status = 400;
      code = 'INVALID_PARAMETER_VALUE';
      message = `Invalid request ${fe.validationContext ?? 'body'}${issue.instancePath ? ` at '${issue.instancePath}'` : ''}: ${issue.message ?? 'does not match the schema'}`;
    } else if (fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      status = 413;
      code = 'INVALID_PARAMETER_VALUE';
      message = `Request body is larger than the limit of ${bodyLimit} bytes (--max-body-bytes).`;
    } else if (fe.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      const e = unsupportedMediaType(request.headers['content-type']);
      status = 415;
      code = e.errorCode;
      message = e.message;
    } else if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
      status = fe.statusCode;
      code = 'BAD_REQUEST';
      message =
        fe.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || fe instanceof SyntaxError
          ? `Invalid input. Ensure that input is a valid JSON formatted string. Error: '${fe.message}'`
          : fe.message;
    } else {
      request.log.error({ err: error }, 'request failed');
      status = 500;
      code = 'INTERNAL_ERROR';
      message = 'Internal error while scoring; see the server log.';
    }
    if (message.length > MAX_MESSAGE) message = `${message.slice(0, MAX_MESSAGE - 3)}...`;
    return reply.status(status).type('application/json; charset=utf-8').send({ error_code: code, message });
  });
  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send({
      error_code: 'ENDPOINT_NOT_FOUND',
      message: `No endpoint ${request.method} ${request.url.split('?')[0]}`,
    }),
  );
}
