// Test helper: a minimal cookie jar (one origin), fed with Set-Cookie header values.
export class CookieJar {
  readonly cookies = new Map<string, string>();
  /** Raw Set-Cookie strings as received, for attribute assertions. */
  readonly received: string[] = [];

  store(setCookies: readonly string[]): void {
    for (const line of setCookies) {
      this.received.push(line);
      const [pair = '', ...attributes] = line.split(';').map((s) => s.trim());
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      const expired = attributes.some((a) => /^max-age=0$/i.test(a)) || value === '';
      if (expired) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}
