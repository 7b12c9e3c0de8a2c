import { describe, expect, it } from 'vitest';
import { createCookieJar } from './cookie-jar.js';

/** A fetch that records the Cookie header it got and answers with the given Set-Cookie headers. */
function recordingFetch(setCookies: Record<string, string[]>) {
  const sent: Array<{ url: string; cookie: string | null; redirect: RequestInit['redirect'] }> = [];
  const fn = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = String(input);
    sent.push({ url, cookie: new Headers(init?.headers).get('cookie'), redirect: init?.redirect });
    const headers = new Headers();
    for (const value of setCookies[new URL(url).pathname] ?? []) headers.append('set-cookie', value);
    return new Response(null, { status: 200, headers });
  };
  return { fetch: fn as typeof fetch, sent };
}

describe('createCookieJar', () => {
  it('sends stored cookies back to the same host and never follows redirects itself', async () => {
    const base = recordingFetch({ '/login': ['sid=abc; Path=/; HttpOnly'] });
    const jar = createCookieJar(base.fetch);
    await jar.fetch('http://127.0.0.1:1/login');
    await jar.fetch('http://127.0.0.1:1/other');
    await jar.fetch('http://localhost:1/other');
    expect(base.sent.map((s) => s.cookie)).toEqual([null, 'sid=abc', null]);
    expect(base.sent.every((s) => s.redirect === 'manual')).toBe(true);
  });

  it('scopes cookies to their path', async () => {
    const base = recordingFetch({ '/auth/x': ['resume=1; Path=/auth/x'] });
    const jar = createCookieJar(base.fetch);
    await jar.fetch('http://h/auth/x');
    expect(jar.cookieNamesFor('http://h/auth/x/next')).toEqual(['resume']);
    expect(jar.cookieNamesFor('http://h/auth/xy')).toEqual([]);
    expect(jar.cookieNamesFor('http://h/')).toEqual([]);
  });

  it('deletes a cookie set with Max-Age=0 and keeps Secure cookies off plain http', async () => {
    const base = recordingFetch({ '/set': ['a=1; Path=/', 's=1; Path=/; Secure'], '/clear': ['a=; Path=/; Max-Age=0'] });
    const jar = createCookieJar(base.fetch);
    await jar.fetch('https://h/set');
    expect(jar.cookieNamesFor('https://h/')).toEqual(['a', 's']);
    expect(jar.cookieNamesFor('http://h/')).toEqual(['a']);
    await jar.fetch('https://h/clear');
    expect(jar.cookieNamesFor('https://h/')).toEqual(['s']);
  });
});
