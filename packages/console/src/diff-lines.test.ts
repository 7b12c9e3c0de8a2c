import { describe, expect, it } from 'vitest';
import { diffLines } from './diff-lines.js';

describe('diffLines', () => {
  it('marks added and removed lines, keeping the unchanged ones near them', () => {
    expect(diffLines('a\nb\nc', 'a\nB\nc')).toEqual([
      { op: ' ', text: 'a' },
      { op: '+', text: 'B' },
      { op: '-', text: 'b' },
      { op: ' ', text: 'c' },
    ]);
  });

  it('elides long unchanged runs', () => {
    const before = ['1', '2', '3', '4', '5', '6', '7', '8'].join('\n');
    const after = ['1', '2', '3', '4', '5', '6', '7', 'eight'].join('\n');
    expect(diffLines(before, after, 1).map((l) => `${l.op}${l.text}`)).toEqual([' …', ' 7', '+eight', '-8']);
  });

  it('says nothing changed with no marked line', () => {
    expect(diffLines('same', 'same').every((l) => l.op === ' ')).toBe(true);
  });
});

describe('diffLines on large texts', () => {
  it('compares a small change in a large text by its changed middle only', () => {
    const lines = Array.from({ length: 50_000 }, (_, k) => `line ${k}`);
    const changed = [...lines];
    changed[25_000] = 'changed';
    expect(diffLines(lines.join('\n'), changed.join('\n'), 0).filter((l) => l.op !== ' ')).toEqual([
      { op: '+', text: 'changed' },
      { op: '-', text: 'line 25000' },
    ]);
  });
});
