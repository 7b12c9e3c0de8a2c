import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { loadLuaScript } from './lua-script.js';

const root = mkdtempSync(join(tmpdir(), 'gatehouse-lua-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('loadLuaScript', () => {
  // A service layout: src/adapters/lua/*.lua, and the compiled module in dist/adapters.
  mkdirSync(join(root, 'src/adapters/lua'), { recursive: true });
  mkdirSync(join(root, 'dist/adapters/lua'), { recursive: true });
  writeFileSync(join(root, 'src/adapters/lua/only-in-src.lua'), 'return 1');
  writeFileSync(join(root, 'src/adapters/lua/both.lua'), 'return "src"');
  writeFileSync(join(root, 'dist/adapters/lua/both.lua'), 'return "dist"');
  const compiledModule = pathToFileURL(join(root, 'dist/adapters/store.js')).href;
  const sourceModule = pathToFileURL(join(root, 'src/adapters/store.ts')).href;

  it('finds a script beside the compiled module first, then in src', () => {
    expect(loadLuaScript(compiledModule, 'both.lua')).toBe('return "dist"');
    expect(loadLuaScript(compiledModule, 'only-in-src.lua')).toBe('return 1');
  });

  it('finds a script beside the source module (tests run from src)', () => {
    expect(loadLuaScript(sourceModule, 'only-in-src.lua')).toBe('return 1');
  });

  it('names the script and where it looked when it is missing', () => {
    expect(() => loadLuaScript(compiledModule, 'nope.lua')).toThrow(/GH_LUA_SCRIPT_MISSING: nope\.lua not found in .*dist\/adapters\/lua\/nope\.lua or .*src\/adapters\/lua\/nope\.lua/);
  });
});
