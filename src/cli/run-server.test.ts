import { describe, expect, it } from 'vitest';
import { redact } from './run-server.js';

describe('redact', () => {
  it('hides the password of a database URI and leaves other URIs alone', () => {
    expect(redact('postgresql://cairn:s3cret@db:5432/cairn')).toBe('postgresql://cairn:***@db:5432/cairn');
    expect(redact('postgresql://cairn@db:5432/cairn')).toBe('postgresql://cairn@db:5432/cairn');
    expect(redact('sqlite:////tmp/x.db')).toBe('sqlite:////tmp/x.db');
  });
});
