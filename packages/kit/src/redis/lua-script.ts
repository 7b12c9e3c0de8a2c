// Lua scripts live as .lua files in a service's src/adapters/lua (readable, diffable, testable as
// they are). tsc does not copy them to dist/, so from dist/adapters the loader looks in ./lua first
// (an image may copy them there) and then in ../../src/adapters/lua (where they are in development,
// tests and `pnpm deploy` output).
import { existsSync, readFileSync } from 'node:fs';

/** Reads `lua/<name>` next to the calling module (`import.meta.url`), in dist or in src. */
export function loadLuaScript(moduleUrl: string, name: string): string {
  const candidates = [new URL(`./lua/${name}`, moduleUrl), new URL(`../../src/adapters/lua/${name}`, moduleUrl)];
  const found = candidates.find((url) => existsSync(url));
  if (!found) throw new Error(`GH_LUA_SCRIPT_MISSING: ${name} not found in ${candidates.map((u) => u.pathname).join(' or ')}`);
  return readFileSync(found, 'utf8');
}
