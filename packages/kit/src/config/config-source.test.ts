import { describe, expect, it } from 'vitest';
import { MergedSources } from './config-source.js';

interface Item {
  name: string;
  from: string;
}
const items = (from: string, ...names: string[]): Item[] => names.map((name) => ({ name, from }));

describe('MergedSources', () => {
  it('lets the first source in precedence win per key and keeps the rest', () => {
    const merged = new MergedSources<Item>(['files', 'redis'], (i) => i.name);
    merged.update('redis', items('redis', 'a', 'b'));
    expect(merged.update('files', items('files', 'b', 'c'))).toEqual([
      { name: 'b', from: 'files' },
      { name: 'c', from: 'files' },
      { name: 'a', from: 'redis' },
    ]);
  });

  it('rebuilds on every delivery: an item a source drops falls back to the next source', () => {
    const merged = new MergedSources<Item>(['files', 'redis'], (i) => i.name);
    merged.update('files', items('files', 'a'));
    merged.update('redis', items('redis', 'a'));
    expect(merged.update('files', [])).toEqual([{ name: 'a', from: 'redis' }]);
    expect(merged.items).toEqual([{ name: 'a', from: 'redis' }]);
  });

  it('puts sources missing from the precedence list last', () => {
    const merged = new MergedSources<Item>(['files'], (i) => i.name);
    merged.update('admin', items('admin', 'a'));
    expect(merged.update('files', items('files', 'a'))).toEqual([{ name: 'a', from: 'files' }]);
  });
});
