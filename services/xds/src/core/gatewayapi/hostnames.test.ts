import { describe, expect, it } from 'vitest';
import { intersectHostnames } from './hostnames.js';

describe('intersectHostnames', () => {
  it('serves every host when neither listener nor route restricts', () => {
    expect(intersectHostnames(undefined, [])).toEqual(['*']);
  });
  it('takes the route hostnames on a listener without hostname, and the listener hostname for a route without', () => {
    expect(intersectHostnames(undefined, ['a.example.com'])).toEqual(['a.example.com']);
    expect(intersectHostnames('a.example.com', [])).toEqual(['a.example.com']);
  });
  it('keeps the more specific name where a wildcard covers the other', () => {
    expect(intersectHostnames('*.example.com', ['api.example.com', 'other.org'])).toEqual(['api.example.com']);
    expect(intersectHostnames('api.example.com', ['*.example.com'])).toEqual(['api.example.com']);
    expect(intersectHostnames('*.example.com', ['*.api.example.com'])).toEqual(['*.api.example.com']);
    expect(intersectHostnames('*.api.example.com', ['*.example.com'])).toEqual(['*.api.example.com']);
  });
  it('does not let a wildcard cover its own bare domain', () => {
    expect(intersectHostnames('*.example.com', ['example.com'])).toEqual([]);
  });
});
