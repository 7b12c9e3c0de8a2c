// The emulated router's weighted_clusters choice: cumulative weight ranges, zero weights never chosen,
// the first cluster when no draw is given.
import { describe, expect, it } from 'vitest';
import { pickWeightedCluster } from './emulate-request.js';

const clusters = [
  { name: 'a', weight: { value: 70 } },
  { name: 'zero', weight: 0 },
  { name: 'b', weight: 30 },
];

describe('pickWeightedCluster', () => {
  it('maps the draw onto the cumulative weights', () => {
    expect(pickWeightedCluster(clusters, 0)).toBe('a');
    expect(pickWeightedCluster(clusters, 0.699)).toBe('a');
    expect(pickWeightedCluster(clusters, 0.7)).toBe('b');
    expect(pickWeightedCluster(clusters, 0.999)).toBe('b');
  });

  it('takes the first cluster without a draw', () => {
    expect(pickWeightedCluster(clusters, undefined)).toBe('a');
  });
});
