import { describe, expect, it } from 'vitest';
import type { ConfigIssue } from '@gatehouse/schemas';
import { LastGood, type LastGoodCandidate } from './last-good.js';

const issue = (file: string, message = 'bad'): ConfigIssue => ({ code: 'GH_TEST_INVALID', file, line: 3, path: '/spec/x', message });
const valid = (key: string, value: string, file = 'a.yaml'): LastGoodCandidate<string> => ({ key, value, file, issues: [] });
const invalid = (key: string, raw: string, file = 'a.yaml'): LastGoodCandidate<string> => ({ key, file, issues: [issue(file)], fingerprint: raw });
const served = (lg: LastGood<string>) => Object.fromEntries(lg.current!.serving.map((e) => [e.key, e.value]));

describe('LastGood', () => {
  it('serves the newest valid version of each key', () => {
    const lg = new LastGood<string>();
    lg.update([valid('Route a', 'v1'), valid('Route b', 'b1')]);
    lg.update([valid('Route a', 'v2'), valid('Route b', 'b1')]);
    expect(served(lg)).toEqual({ 'Route a': 'v2', 'Route b': 'b1' });
    expect(lg.current!.stale).toEqual([]);
    expect(lg.current!.serving.find((e) => e.key === 'Route a')).toMatchObject({ generation: 2, servingGeneration: 2, issues: [] });
  });

  it('keeps the last good version of a key whose new version is invalid, and says which generation serves', () => {
    const lg = new LastGood<string>();
    lg.update([valid('Policy p', 'good'), valid('Route r', 'r1')]);
    const result = lg.update([invalid('Policy p', 'typo'), valid('Route r', 'r2')]);
    expect(served(lg)).toEqual({ 'Policy p': 'good', 'Route r': 'r2' });
    expect(result.stale).toEqual([{ key: 'Policy p', value: 'good', file: 'a.yaml', generation: 2, servingGeneration: 1, issues: [issue('a.yaml')] }]);
  });

  it('serves the new version the moment it is valid again', () => {
    const lg = new LastGood<string>();
    lg.update([valid('Policy p', 'good')]);
    lg.update([invalid('Policy p', 'typo')]);
    const result = lg.update([valid('Policy p', 'fixed')]);
    expect(served(lg)).toEqual({ 'Policy p': 'fixed' });
    expect(result.stale).toEqual([]);
    expect(result.serving[0]).toMatchObject({ generation: 3, servingGeneration: 3 });
  });

  it('never serves a key that was never valid', () => {
    const lg = new LastGood<string>();
    const result = lg.update([invalid('Policy p', 'typo'), valid('Route r', 'r1')]);
    expect(served(lg)).toEqual({ 'Route r': 'r1' });
    expect(result.refused).toEqual([{ key: 'Policy p', file: 'a.yaml', generation: 1, issues: [issue('a.yaml')] }]);
  });

  it('deletes a key that is gone from a readable input', () => {
    const lg = new LastGood<string>();
    lg.update([valid('Policy p', 'good'), valid('Route r', 'r1')]);
    lg.update([valid('Route r', 'r1')]);
    expect(served(lg)).toEqual({ 'Route r': 'r1' });
    // and a later re-creation starts over at generation 1
    expect(lg.update([valid('Policy p', 'again')]).serving.find((e) => e.key === 'Policy p')).toMatchObject({ generation: 1 });
  });

  it('keeps every key of a file that no longer parses, marked stale with the file issue', () => {
    const lg = new LastGood<string>();
    lg.update([valid('Policy p', 'good', 'p.yaml'), valid('Route r', 'r1', 'r.yaml')]);
    const syntax = issue('p.yaml', 'bad indentation');
    const result = lg.update([valid('Route r', 'r1', 'r.yaml')], [syntax]);
    expect(served(lg)).toEqual({ 'Policy p': 'good', 'Route r': 'r1' });
    expect(result.stale).toEqual([expect.objectContaining({ key: 'Policy p', issues: [syntax] })]);
    // once the file parses again without the key, the key is deleted
    lg.update([valid('Route r', 'r1', 'r.yaml')]);
    expect(served(lg)).toEqual({ 'Route r': 'r1' });
  });

  it('counts each refused version once, however often it is delivered', () => {
    const lg = new LastGood<string>();
    lg.update([valid('Policy p', 'good')]);
    lg.update([invalid('Policy p', 'typo')]);
    lg.update([invalid('Policy p', 'typo')]);
    expect(lg.takeNewlyRefused().map((r) => [r.key, r.generation])).toEqual([['Policy p', 2]]);
    lg.update([invalid('Policy p', 'another typo')]);
    expect(lg.takeNewlyRefused().map((r) => [r.key, r.generation])).toEqual([['Policy p', 3]]);
    expect(lg.takeNewlyRefused()).toEqual([]);
  });

  it('takes the first of two candidates with one key (the compile step reports the duplicate)', () => {
    const lg = new LastGood<string>();
    lg.update([valid('Route r', 'first'), valid('Route r', 'second')]);
    expect(served(lg)).toEqual({ 'Route r': 'first' });
  });
});
