// Loads the Lua scripts that sit beside this module in src/adapters/lua. tsc does not copy them to
// dist/, so from dist/adapters the loader looks in ./lua first (an image may copy them there) and
// then in ../../src/adapters/lua (the source tree, which is where they are in development and tests).
import { existsSync, readFileSync } from 'node:fs';

function loadScript(name: string): string {
  const candidates = [new URL(`./lua/${name}`, import.meta.url), new URL(`../../src/adapters/lua/${name}`, import.meta.url)];
  const found = candidates.find((url) => existsSync(url));
  if (!found) throw new Error(`GH_RATELIMIT_LUA_MISSING: ${name} not found in ${candidates.map((u) => u.pathname).join(' or ')}`);
  return readFileSync(found, 'utf8');
}

export const fixedWindowLua = loadScript('fixed-window.lua');
export const gcraLua = loadScript('gcra.lua');
export const slidingWindowLua = loadScript('sliding-window.lua');
