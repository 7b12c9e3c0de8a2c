// Debian's headless Chromium driven by playwright-core (whose own browser downloads cannot be fetched
// here). The page's console errors, uncaught exceptions and every request are recorded, so a spec can
// assert "no console error" and "no request leaves the page's origin".
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { requireBinary } from './binaries.js';

export interface BrowserPage {
  readonly page: Page;
  /** Console messages of type error, and uncaught exceptions, so far. */
  readonly errors: string[];
  /** Every URL the page requested, in order. */
  readonly requests: string[];
}

export interface BrowserHandle {
  /** A new page in its own context (no shared storage) at this viewport. */
  newPage(viewport?: { width: number; height: number }, options?: { isMobile?: boolean }): Promise<BrowserPage>;
  close(): Promise<void>;
}

export async function launchChromium(): Promise<BrowserHandle> {
  // As root (CI), Chromium's sandbox needs user namespaces it may not get: run without it, on test pages only.
  const browser: Browser = await chromium.launch({ executablePath: requireBinary('chromium'), headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
  const contexts: BrowserContext[] = [];
  return {
    async newPage(viewport = { width: 1366, height: 900 }, options = {}) {
      const context = await browser.newContext({ viewport, deviceScaleFactor: 1, isMobile: options.isMobile ?? false, hasTouch: options.isMobile ?? false });
      contexts.push(context);
      const page = await context.newPage();
      const errors: string[] = [];
      const requests: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error') errors.push(message.text());
      });
      page.on('pageerror', (err) => errors.push(err.message));
      page.on('request', (request) => requests.push(request.url()));
      return { page, errors, requests };
    },
    async close() {
      for (const context of contexts) await context.close().catch(() => undefined);
      await browser.close();
    },
  };
}
