// Loads the Lua scripts that sit beside this module. They stay in src/ (tsc does not copy them), and
// the path below resolves to src/adapters/lua from both src/ (tests) and dist/ (runtime).
import { readFileSync } from 'node:fs';

function loadScript(name: string): string {
  return readFileSync(new URL(`../../src/adapters/lua/${name}`, import.meta.url), 'utf8');
}

export const gcraLua = loadScript('gcra.lua');
export const slidingWindowLua = loadScript('sliding-window.lua');
