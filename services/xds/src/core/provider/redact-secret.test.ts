// GET /resources shows a Secret's keys, never its values.
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { redactStoredResource } from './redact-secret.js';

describe('redactStoredResource', () => {
  it('replaces every data and stringData value of a Secret, keeping the keys and the rest', () => {
    const yaml = 'apiVersion: v1\nkind: Secret\nmetadata: { name: s, namespace: default }\ntype: Opaque\ndata: { a: QUJD }\nstringData: { b: secret-b }\n';
    const redacted = redactStoredResource({ key: 'Secret/default/s', yaml });
    expect(parse(redacted.yaml)).toEqual({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'default' }, type: 'Opaque', data: { a: '[redacted]' }, stringData: { b: '[redacted]' } });
  });

  it("redacts kubectl's last-applied copy of the Secret and a data field of the wrong shape", () => {
    const yaml = 'kind: Secret\nmetadata:\n  name: s\n  annotations: { kubectl.kubernetes.io/last-applied-configuration: \'{"data":{"a":"QUJD"}}\', team: x }\ndata: QUJD\n';
    const redacted = parse(redactStoredResource({ key: 'Secret/default/s', yaml }).yaml) as Record<string, unknown>;
    expect(JSON.stringify(redacted)).not.toContain('QUJD');
    expect(redacted).toMatchObject({ data: '[redacted]', metadata: { annotations: { team: 'x' } } });
  });

  it('leaves other kinds as they are', () => {
    const stored = { key: 'Backend/default/api', yaml: 'kind: Backend\ndata: keep\n' };
    expect(redactStoredResource(stored)).toBe(stored);
  });
});
