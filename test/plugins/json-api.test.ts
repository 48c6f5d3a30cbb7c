/**
 * The shared JSON boundary's content-type check never quotes the provider's header: the README
 * says no error text quotes a header value. A plain `type/subtype` is named (without its
 * parameters); anything else is "an unexpected content type".
 */
import { describe, expect, it } from 'vitest';
import { ProviderError } from '../../src/errors.js';
import { decodeJson, type JsonErrors } from '../../src/plugins/json-api.js';
import { z } from '../../src/plugins/zod.js';

const errors: Pick<JsonErrors, 'bad'> = { bad: (detail) => new ProviderError('bad_response', detail) };

function refusalFor(contentType: string): string {
  const headers = new Headers({ 'content-type': contentType });
  const res = new Response('{}', { status: 200, headers });
  try {
    decodeJson('sleep', res, '{}', z.object({}), errors);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('expected a refusal');
}

describe('a 2xx answer that is not JSON', () => {
  it.each([
    ['text/html; charset=utf-8', 'sleep: expected JSON, got content type "text/html"'],
    ['TEXT/PLAIN', 'sleep: expected JSON, got content type "text/plain"'],
    ['application/xml;q="a\\"b"', 'sleep: expected JSON, got content type "application/xml"'],
  ])('%s: names the media type only', (header, message) => {
    expect(refusalFor(header)).toBe(message);
  });

  it.each([
    'text/html session=abc123secret',
    'x-token: Bearer abc',
    '"text/html"',
    'text/html/extra',
    `text/${'x'.repeat(200)}`,
    'text/h\u00e9ml',
    'https://tracker.example.test/?id=1',
  ])('%s: "an unexpected content type", nothing of it quoted', (header) => {
    const message = refusalFor(header);
    expect(message).toBe('sleep: expected JSON, got an unexpected content type');
  });

  it('no content type at all', () => {
    expect(refusalFor('')).toBe('sleep: expected JSON, got no content type');
  });
});
