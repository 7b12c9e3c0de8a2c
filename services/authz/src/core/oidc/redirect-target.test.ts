import { describe, expect, it } from 'vitest';
import { validateRedirectTarget } from './redirect-target.js';

const options = { requestHost: 'app.example.com', allowedOrigins: ['https://docs.example.com'] };

describe('validateRedirectTarget', () => {
  it('accepts same-host relative paths with queries', () => {
    expect(validateRedirectTarget('/dashboard?tab=1', options)).toBe('/dashboard?tab=1');
    expect(validateRedirectTarget('/', options)).toBe('/');
  });
  it('accepts absolute URLs on the request host or the allow-list', () => {
    expect(validateRedirectTarget('https://app.example.com/x', options)).toBe('https://app.example.com/x');
    expect(validateRedirectTarget('https://app.example.com:443/x', options)).toBe('https://app.example.com/x');
    expect(validateRedirectTarget('https://docs.example.com/guide', options)).toBe('https://docs.example.com/guide');
  });
  const attacks: Record<string, string> = {
    'protocol-relative //evil': '//evil.com',
    'triple slash ///evil': '///evil.com',
    'backslash /\\evil': '/\\evil.com',
    'backslash \\\\evil': '\\\\evil.com',
    'tab inside //': '/\t/evil.com',
    'newline inside //': '/\n/evil.com',
    'carriage return': '/\r/evil.com',
    'leading space': ' //evil.com',
    'encoded slash /%2fevil': '/%2fevil.com',
    'encoded slash upper /%2Fevil': '/%2Fevil.com',
    'encoded backslash /%5cevil': '/%5cevil.com',
    'double-encoded slash': '/%252fevil.com',
    'encoded tab': '/%09/evil.com',
    'userinfo on own host': 'https://app.example.com@evil.com/',
    'userinfo with credentials': 'https://user:pass@app.example.com/',
    'other host': 'https://evil.com/',
    'suffix host': 'https://app.example.com.evil.com/',
    'other port': 'https://app.example.com:8443/',
    'http downgrade': 'http://app.example.com/',
    'scheme without slashes': 'https:evil.com',
    'javascript scheme': 'javascript:alert(1)',
    'data scheme': 'data:text/html,hi',
    'fullwidth slashes': '/\uff0f\uff0fevil.com',
    'relative without slash': 'evil.com',
    'empty': '',
  };
  for (const [name, target] of Object.entries(attacks)) {
    it(`rejects ${name}`, () => {
      expect(validateRedirectTarget(target, options)).toBeUndefined();
    });
  }
});
