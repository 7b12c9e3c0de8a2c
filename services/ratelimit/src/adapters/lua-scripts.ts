// The service's Lua scripts (src/adapters/lua), read once at start-up.
import { loadLuaScript } from '@gatehouse/kit';

export const fixedWindowLua = loadLuaScript(import.meta.url, 'fixed-window.lua');
export const gcraLua = loadLuaScript(import.meta.url, 'gcra.lua');
export const slidingWindowLua = loadLuaScript(import.meta.url, 'sliding-window.lua');
