// The status range pattern of a response override: exactly the codes from start to end, RE2-valid.
import { describe, expect, it } from 'vitest';
import { describeRegexProblem } from '../../gatewayapi/regex.js';
import { statusRangeRegex } from './custom-response.js';

describe('statusRangeRegex', () => {
  it.each([
    [500, 503],
    [400, 599],
    [404, 404 + 1],
    [199, 201],
    [418, 531],
  ])('matches exactly %i to %i', (start, end) => {
    const pattern = statusRangeRegex(start, end);
    expect(describeRegexProblem(pattern)).toBeUndefined();
    const regex = new RegExp(pattern);
    const matched = Array.from({ length: 500 }, (_, i) => i + 100).filter((code) => regex.test(String(code)));
    expect(matched).toEqual(Array.from({ length: end - start + 1 }, (_, i) => start + i));
  });
});
