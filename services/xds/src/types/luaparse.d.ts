// The part of luaparse (no bundled types) xds uses: parse a chunk, throwing a SyntaxError with "[line:column] message".
declare module 'luaparse' {
  interface ParseOptions {
    luaVersion?: '5.1' | '5.2' | '5.3' | 'LuaJIT';
    comments?: boolean;
  }
  const luaparse: { parse(code: string, options?: ParseOptions): unknown };
  export default luaparse;
}
