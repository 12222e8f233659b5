import { describe, expect, it } from 'vitest';
import { AlreadyExists, CairnError, InvalidParameter, NotFound } from './errors.js';

describe('CairnError', () => {
  it('carries MLflow error codes and HTTP statuses', () => {
    expect(new NotFound('x').httpStatus).toBe(404);
    expect(new AlreadyExists('x').toJSON()).toEqual({ error_code: 'RESOURCE_ALREADY_EXISTS', message: 'x' });
    const e = new InvalidParameter('bad');
    expect(e).toBeInstanceOf(CairnError);
    expect(e.httpStatus).toBe(400);
    expect(e.name).toBe('InvalidParameter');
  });
});
