// The console's only way out: same-origin fetches to xds's admin port. The token (read or admin) goes in
// the Authorization header, kept in sessionStorage for this tab only, never in the URL.
import { readEvents } from './event-stream.js';
import type { ConsoleState, DryRunDiff, SectionName } from './model.js';

const TOKEN_KEY = 'gatehouse.console.token';
const RETRY_MS = 1000;
const SECTIONS = new Set<string>(['topology', 'health', 'certificates', 'traffic'] satisfies SectionName[]);

export function loadToken(storage: Pick<Storage, 'getItem'> | undefined = globalThis.sessionStorage): string {
  return storage?.getItem(TOKEN_KEY) ?? '';
}

export function saveToken(token: string, storage: Pick<Storage, 'setItem' | 'removeItem'> | undefined = globalThis.sessionStorage): void {
  if (token) storage?.setItem(TOKEN_KEY, token);
  else storage?.removeItem(TOKEN_KEY);
}

export type Connection = 'connecting' | 'live' | 'reconnecting' | 'unauthorized';

export interface StreamHandlers {
  onSection: <K extends SectionName>(name: K, value: ConsoleState[K]) => void;
  onConnection: (connection: Connection) => void;
}

function authHeaders(token: string): Record<string, string> {
  return token ? { authorization: `Bearer ${token}` } : {};
}

/** Whether reading needs a token (GET /console/api/access, open), so the page asks before being refused. */
async function tokenRequired(signal: AbortSignal): Promise<boolean> {
  try {
    const response = await fetch('/console/api/access', { signal, cache: 'no-store' });
    return response.ok && ((await response.json()) as { tokenRequired?: boolean }).tokenRequired === true;
  } catch {
    return false;
  }
}

/** Follows /console/api/events until `signal` aborts, reconnecting after a second; stops on 401. */
export async function followEvents(token: string, handlers: StreamHandlers, signal: AbortSignal): Promise<void> {
  if (!token && (await tokenRequired(signal))) {
    handlers.onConnection('unauthorized');
    return;
  }
  while (!signal.aborted) {
    try {
      const response = await fetch('/console/api/events', { headers: { accept: 'text/event-stream', ...authHeaders(token) }, signal, cache: 'no-store' });
      if (response.status === 401) {
        handlers.onConnection('unauthorized');
        return;
      }
      if (response.ok && response.body) {
        handlers.onConnection('live');
        await readEvents(
          response.body,
          (event) => {
            if (SECTIONS.has(event.event)) handlers.onSection(event.event as SectionName, JSON.parse(event.data));
          },
          signal,
        );
      }
    } catch {
      // xds restarting or the network gone: try again below
    }
    if (signal.aborted) return;
    handlers.onConnection('reconnecting');
    await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
  }
}

export interface ActionResult<T> {
  ok: boolean;
  status: number;
  body: T | { error?: string; message?: string; errors?: Array<{ message: string; file?: string; line?: number }> };
}

async function send<T>(method: 'POST' | 'PUT', path: string, yaml: string, token: string): Promise<ActionResult<T>> {
  const response = await fetch(path, { method, headers: { 'content-type': 'application/yaml', ...authHeaders(token) }, body: yaml, cache: 'no-store' });
  const body = (await response.json().catch(() => ({ message: `${response.status} ${response.statusText}` }))) as ActionResult<T>['body'];
  return { ok: response.ok, status: response.status, body };
}

/** POST /dry-run: the Envoy diff per Gateway; nothing is applied (needs ADMIN_TOKEN). */
export function dryRun(yaml: string, adminToken: string): Promise<ActionResult<{ diff: DryRunDiff }>> {
  return send('POST', '/dry-run', yaml, adminToken);
}

/** PUT /resources: stored in Redis, served by every replica (needs ADMIN_TOKEN). */
export function applyResources(yaml: string, adminToken: string): Promise<ActionResult<{ applied: string[]; version: string }>> {
  return send('PUT', '/resources', yaml, adminToken);
}

/** Renew or revoke a Certificate the certs service manages, through xds (needs ADMIN_TOKEN). */
export async function certificateAction(certificate: string, action: 'renew' | 'revoke', adminToken: string): Promise<{ ok: boolean; status: number; message: string }> {
  const response = await fetch(`/console/api/certificates/${certificate.split('/').map(encodeURIComponent).join('/')}/${action}`, { method: 'POST', headers: authHeaders(adminToken), cache: 'no-store' });
  const body = (await response.json().catch(() => ({}))) as { status?: string; message?: string };
  return { ok: response.ok, status: response.status, message: body.status ?? body.message ?? response.statusText };
}
