// The client's public surface: every error a client call can end in is importable from the package
// entry, so callers can tell them apart with instanceof.
import { describe, expect, it } from 'vitest';
import { CairnError } from '../core/errors.js';
import { ResendFailed as BatchResendFailed } from './batch-logger.js';
import * as client from './index.js';
import { NotSupportedOverRest as RestNotSupported } from './rest-errors.js';

describe('client entry point', () => {
  it('exports the client errors themselves (the classes the client throws)', () => {
    expect(client.ResendFailed).toBe(BatchResendFailed);
    expect(client.NotSupportedOverRest).toBe(RestNotSupported);
    const err = new client.ResendFailed(
      new CairnError('INVALID_PARAMETER_VALUE', 'param lr changed'),
      new Error('down'),
      {
        metrics: [],
        tags: [],
      },
    );
    expect(err).toBeInstanceOf(CairnError);
    expect(err.errors.map((e) => e.message)).toEqual(['param lr changed', 'down']);
  });
});
