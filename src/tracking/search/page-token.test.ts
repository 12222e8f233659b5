// Page tokens: round trip and rejection of malformed tokens.
import { describe, expect, it } from 'vitest';
import { decodePageToken, encodePageToken } from './page-token.js';

describe('page tokens', () => {
  it('round-trips offsets and treats no token as offset 0', () => {
    expect(decodePageToken(encodePageToken(1234))).toBe(1234);
    expect(decodePageToken(undefined)).toBe(0);
    expect(decodePageToken('')).toBe(0);
  });
  it.each([
    ['not base64!'],
    [Buffer.from('not json').toString('base64')],
    [Buffer.from('{"offset": -1}').toString('base64')],
    [Buffer.from('{"offset": 1.5}').toString('base64')],
    [Buffer.from('{"page": 2}').toString('base64')],
    [Buffer.from('null').toString('base64')],
  ])('rejects %j as InvalidParameter', (token) => {
    expect(() => decodePageToken(token)).toThrow(/Invalid page token/);
  });
});
