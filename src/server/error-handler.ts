// The one place errors become HTTP: CairnError → its status and MLflow's `{error_code, message}` body.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { CairnError, type ErrorCode } from '../core/errors.js';
import { DOCS_HINT, invalidValueMessage, type ProtoTypeIssue } from './request-types.js';

interface ValidationIssue {
  keyword: string;
  instancePath: string;
  params: Record<string, unknown>;
  message?: string;
}

/** Ajv's '/metrics/0/key' → MLflow's 'metrics[0].key'. */
function fieldName(issue: ValidationIssue): string {
  const parts = issue.instancePath.split('/').filter(Boolean);
  if (issue.keyword === 'required') parts.push(String(issue.params.missingProperty));
  return parts.reduce((acc, p) => (/^\d+$/.test(p) ? `${acc}[${p}]` : acc ? `${acc}.${p}` : p), '');
}

export function validationMessage(issue: ValidationIssue): string {
  const field = fieldName(issue);
  const missing = issue.keyword === 'required' || (issue.keyword === 'minLength' && issue.params.limit === 1);
  if (missing) return `Missing value for required parameter '${field}'. ${DOCS_HINT}`;
  if (issue.keyword === 'protoType') {
    // MLflow's _validate_param_against_schema wording; a value of the right type but out of range says why
    const { value, reason } = issue.params as unknown as ProtoTypeIssue;
    return invalidValueMessage(field, value, reason);
  }
  return `Invalid value for parameter '${field}' supplied: ${field || 'request'} ${issue.message ?? 'is invalid'}. ${DOCS_HINT}`;
}

/** Messages echo client input; a 3 MB run id must not come back as a 3 MB error. */
const MAX_MESSAGE_LENGTH = 2000;
/** The end kept when a message is cut: the reason usually follows the echoed input. */
const KEPT_TAIL = 500;

/** Cuts the middle of an over-long message, never its end, so the reason survives. */
export function shortenMessage(message: string): string {
  if (message.length <= MAX_MESSAGE_LENGTH) return message;
  const head = message.slice(0, MAX_MESSAGE_LENGTH - KEPT_TAIL);
  const omitted = message.length - head.length - KEPT_TAIL;
  return `${head}… (${omitted} characters omitted) …${message.slice(-KEPT_TAIL)}`;
}

function send(reply: FastifyReply, status: number, code: ErrorCode, message: string): FastifyReply {
  const text = shortenMessage(message);
  return reply.status(status).type('application/json; charset=utf-8').send({ error_code: code, message: text });
}

export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | CairnError | Error, request: FastifyRequest, reply: FastifyReply) => {
    if (error instanceof CairnError) {
      if (error.httpStatus >= 500) request.log.error({ err: error }, 'request failed');
      return send(reply, error.httpStatus, error.errorCode, error.message);
    }
    const fe = error as FastifyError & { validation?: ValidationIssue[] };
    if (fe.validation && fe.validation.length > 0) {
      return send(reply, 400, 'INVALID_PARAMETER_VALUE', validationMessage(fe.validation[0]));
    }
    switch (fe.code) {
      case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
        return send(
          reply,
          400,
          'INVALID_PARAMETER_VALUE',
          "Bad Request. Content-Type must be one of ['application/json'].",
        );
      case 'FST_ERR_CTP_BODY_TOO_LARGE':
        return send(
          reply,
          413,
          'INVALID_PARAMETER_VALUE',
          `Request body is larger than the server accepts (${request.routeOptions.bodyLimit ?? 'limit'} bytes).`,
        );
      case 'FST_ERR_CTP_INVALID_JSON_BODY':
      case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
        return send(reply, 400, 'MALFORMED_REQUEST', fe.message);
      default:
        break;
    }
    const status = typeof fe.statusCode === 'number' ? fe.statusCode : 500;
    if (status >= 400 && status < 500) return send(reply, status, 'BAD_REQUEST', fe.message);
    // Anything else is a bug: log it with its stack, answer without internals.
    request.log.error({ err: error }, 'unexpected error');
    return send(reply, 500, 'INTERNAL_ERROR', 'Internal server error; see the server log for details.');
  });

  // originalUrl: the path as the client sent it, before merged-slashes.ts merged its doubled slashes
  app.setNotFoundHandler((request, reply) =>
    send(reply, 404, 'ENDPOINT_NOT_FOUND', `No endpoint ${request.method} ${request.originalUrl.split('?')[0]}`),
  );
}

/**
 * Requests Node's HTTP parser rejects before Fastify sees them (oversized headers, a broken request
 * line) still get MLflow's JSON error body.
 */
export function clientErrorHandler(err: Error & { code?: string; rawPacket?: unknown }, socket: Duplex): void {
  if (err.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const status = err.code === 'HPE_HEADER_OVERFLOW' ? 431 : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
  const message =
    status === 431 ? 'Request line and headers are larger than the server accepts.' : 'Malformed HTTP request.';
  const body = JSON.stringify({
    error_code: status === 431 ? 'INVALID_PARAMETER_VALUE' : 'MALFORMED_REQUEST',
    message,
  });
  // a response to HEAD carries no body, or the client's parser sees garbage after the headers
  const isHead = Buffer.isBuffer(err.rawPacket) && err.rawPacket.subarray(0, 5).toString('latin1') === 'HEAD ';
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${isHead ? '' : body}`,
  );
}

/** Errors Fastify raises before routing (an undecodable URL): same JSON body as every other error. */
export function frameworkErrorHandler(error: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  void send(
    reply,
    400,
    'INVALID_PARAMETER_VALUE',
    error.code === 'FST_ERR_BAD_URL' ? 'The request URL is not valid percent-encoded UTF-8.' : error.message,
  );
}
