// BackendTrafficPolicy telemetry.tracing values: fractions as Envoy's FractionalPercent in the smallest
// exact denominator, tags over customTags of the same name, and what Envoy would refuse named by path.
import { describe, expect, it } from 'vitest';
import { PolicyValues } from './policy-values.js';
import { translateRouteTracing } from './traffic-policy-tracing.js';

function translate(spec: Parameters<typeof translateRouteTracing>[0]) {
  const problems: string[] = [];
  return { ir: translateRouteTracing(spec, new PolicyValues(problems)), problems };
}

describe('translateRouteTracing', () => {
  it('writes each fraction per hundred, ten thousand or million, whichever holds it', () => {
    const { ir, problems } = translate({ samplingFraction: { numerator: 25 }, clientSamplingFraction: { numerator: 3, denominator: 1000 }, overallSamplingFraction: { numerator: 1, denominator: 3 } });
    expect(problems).toEqual([]);
    expect(ir).toEqual({
      randomSampling: { numerator: 25, denominator: 'HUNDRED' },
      clientSampling: { numerator: 30, denominator: 'TEN_THOUSAND' },
      overallSampling: { numerator: 333333, denominator: 'MILLION' },
      tags: [],
    });
  });

  it('lets a tag win over a customTag of the same name and reads operators in tags', () => {
    const { ir } = translate({ customTags: { team: { type: 'Literal', literal: { value: 'old' } } }, tags: { team: 'new', host: '%REQ(host)%' } });
    expect(ir?.tags).toEqual([
      { tag: 'host', requestHeader: { name: 'host' } },
      { tag: 'team', literal: 'new' },
    ]);
  });

  it('names a fraction above one and a custom tag without its value', () => {
    const { problems } = translate({ samplingFraction: { numerator: 5, denominator: 4 }, customTags: { env: { type: 'Environment' } } });
    expect(problems).toEqual([
      'spec.telemetry.tracing.samplingFraction: numerator must be less than or equal to denominator (and denominator at least 1)',
      'spec.telemetry.tracing.customTags.env: environment.name is required when type is Environment',
    ]);
  });
});
