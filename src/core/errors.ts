// Typed errors carrying MLflow's error codes; thrown from any layer, mapped to HTTP once (src/server).

/** MLflow's `ErrorCode` names (databricks.proto) that Cairn uses, with the HTTP status MLflow answers. */
export const ERROR_HTTP_STATUS = {
  INTERNAL_ERROR: 500,
  TEMPORARILY_UNAVAILABLE: 503,
  INVALID_PARAMETER_VALUE: 400,
  BAD_REQUEST: 400,
  MALFORMED_REQUEST: 400,
  INVALID_STATE: 400,
  RESOURCE_ALREADY_EXISTS: 400,
  RESOURCE_DOES_NOT_EXIST: 404,
  ENDPOINT_NOT_FOUND: 404,
  PERMISSION_DENIED: 403,
  UNAUTHENTICATED: 401,
  REQUEST_LIMIT_EXCEEDED: 429,
  RESOURCE_EXHAUSTED: 429,
  NOT_IMPLEMENTED: 501,
} as const;

export type ErrorCode = keyof typeof ERROR_HTTP_STATUS;

export class CairnError extends Error {
  readonly errorCode: ErrorCode;
  constructor(errorCode: ErrorCode, message: string) {
    super(message);
    this.name = new.target.name;
    this.errorCode = errorCode;
  }
  get httpStatus(): number {
    return ERROR_HTTP_STATUS[this.errorCode];
  }
  toJSON(): { error_code: ErrorCode; message: string } {
    return { error_code: this.errorCode, message: this.message };
  }
}

export class NotFound extends CairnError {
  constructor(message: string) {
    super('RESOURCE_DOES_NOT_EXIST', message);
  }
}
export class AlreadyExists extends CairnError {
  constructor(message: string) {
    super('RESOURCE_ALREADY_EXISTS', message);
  }
}
export class InvalidParameter extends CairnError {
  constructor(message: string) {
    super('INVALID_PARAMETER_VALUE', message);
  }
}
export class InvalidState extends CairnError {
  constructor(message: string) {
    super('INVALID_STATE', message);
  }
}
