// gatehouse pki init | issue | show against a real folder: what is written, with which modes, what a
// second init keeps, what it renews, and that the CA is never replaced.
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseIdentity } from '@gatehouse/contracts';
import type { CliIo } from './cli-io.js';
import { runCli } from './run-cli.js';

let dir: string;
beforeEach(async () => {
  dir = join(await mkdtemp(join(tmpdir(), 'gatehouse-pki-')), 'pki');
});
afterEach(async () => {
  await rm(join(dir, '..'), { recursive: true, force: true });
});

async function run(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const io: CliIo = { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), env: {}, fetch: () => Promise.reject(new Error('no network')) };
  const code = await runCli(argv, io);
  return { code, stdout, stderr };
}

const cert = async (name: string) => new X509Certificate(await readFile(join(dir, `${name}.crt`)));
const mode = async (name: string) => (await stat(join(dir, name))).mode & 0o777;

describe('gatehouse pki init', () => {
  it('writes the CA and a certificate per service and Gateway, keys 0600, each signed by the CA', async () => {
    const r = await run('pki', 'init', '--dir', dir, '--gateway', 'team/edge', '--gateway', 'default/eg');
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect((await readdir(dir)).sort()).toEqual(
      ['ca', 'xds', 'authz', 'ratelimit', 'certs', 'envoy-team-edge', 'envoy-default-eg'].flatMap((b) => [`${b}.crt`, `${b}.key`]).sort(),
    );
    expect(await mode('.')).toBe(0o700);
    const ca = await cert('ca');
    for (const [base, uri] of [
      ['xds', 'spiffe://gatehouse/service/xds'],
      ['certs', 'spiffe://gatehouse/service/certs'],
      ['envoy-team-edge', 'spiffe://gatehouse/gateway/team/edge'],
    ] as const) {
      const leaf = await cert(base);
      expect(leaf.verify(ca.publicKey), base).toBe(true);
      expect(leaf.subjectAltName?.split(', ')[0]).toBe(`URI:${uri}`);
      expect(leaf.checkPrivateKey(createPrivateKey(await readFile(join(dir, `${base}.key`))))).toBe(true);
      expect(await mode(`${base}.key`)).toBe(0o600);
      expect(await mode(`${base}.crt`)).toBe(0o644);
    }
    expect(await mode('ca.key')).toBe(0o600);
    expect(r.stdout).toMatch(/^created the CA /);
    expect(r.stdout).toMatch(/issued {2}envoy-team-edge\.crt {2}gateway team\/edge until \d{4}-\d\d-\d\d \(new\)/);
    // No temporary file is left behind by the atomic writes.
    expect((await readdir(dir)).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it('is idempotent: a second run keeps the CA and every valid certificate, and adds a new Gateway', async () => {
    await run('pki', 'init', '--dir', dir);
    const before = Object.fromEntries(await Promise.all(['ca', 'xds', 'authz'].map(async (b) => [b, await readFile(join(dir, `${b}.crt`), 'utf8')] as const)));
    const r = await run('pki', 'init', '--dir', dir, '--gateway', 'team/edge');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^kept the CA /);
    expect(r.stdout).toMatch(/kept {4}xds\.crt/);
    expect(r.stdout).toMatch(/issued {2}envoy-team-edge\.crt/);
    for (const [b, text] of Object.entries(before)) expect(await readFile(join(dir, `${b}.crt`), 'utf8'), b).toBe(text);
  });

  it('renews a certificate near its end, one whose key was lost, and one from another CA', async () => {
    await run('pki', 'init', '--dir', dir, '--days', '20');
    const other = join(dir, '..', 'other');
    await run('pki', 'init', '--dir', other);
    await writeFile(join(dir, 'certs.crt'), await readFile(join(other, 'certs.crt')));
    await rm(join(dir, 'ratelimit.key'));
    const r = await run('pki', 'init', '--dir', dir);
    expect(r.stdout).toMatch(/issued {2}xds\.crt .*\(expiring\)/);
    expect(r.stdout).toMatch(/issued {2}ratelimit\.crt .*\(new\)/);
    expect(r.stdout).toMatch(/issued {2}certs\.crt .*\(foreign\)/);
    expect((await cert('certs')).verify((await cert('ca')).publicKey)).toBe(true);
  });

  it('reissues a service certificate that lacks a name it must answer to (init again with --k8s-namespace)', async () => {
    await run('pki', 'init', '--dir', dir);
    expect((await cert('xds')).checkHost('gatehouse-xds.gatehouse.svc')).toBeUndefined();
    const r = await run('pki', 'init', '--dir', dir, '--k8s-namespace', 'gatehouse');
    expect(r.stdout).toMatch(/issued {2}xds\.crt .*\(names-changed\)/);
    expect((await cert('xds')).checkHost('gatehouse-xds.gatehouse.svc')).toBe('gatehouse-xds.gatehouse.svc');
    expect((await run('pki', 'init', '--dir', dir, '--k8s-namespace', 'gatehouse')).stdout).toMatch(/kept {4}xds\.crt/);
  });

  it('never replaces a CA: a certificate without its key is an error, not a new CA', async () => {
    await run('pki', 'init', '--dir', dir);
    const caText = await readFile(join(dir, 'ca.crt'), 'utf8');
    await rm(join(dir, 'ca.key'));
    await rm(join(dir, 'xds.crt'));
    const r = await run('pki', 'init', '--dir', dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('ca.key does not exist');
    expect(await readFile(join(dir, 'ca.crt'), 'utf8')).toBe(caText);
  });

  it('refuses a Gateway that is not <namespace>/<name> with the error code', async () => {
    const r = await run('pki', 'init', '--dir', dir, '--gateway', '../etc');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('GH_PKI_INVALID_NAME');
  });
});

describe('gatehouse pki issue', () => {
  it('rotates one certificate (new key, same identity) and leaves the others alone', async () => {
    await run('pki', 'init', '--dir', dir);
    const oldKey = await readFile(join(dir, 'authz.key'), 'utf8');
    const xds = await readFile(join(dir, 'xds.crt'), 'utf8');
    const r = await run('pki', 'issue', 'authz', '--dir', dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('spiffe://gatehouse/service/authz');
    expect(await readFile(join(dir, 'authz.key'), 'utf8')).not.toBe(oldKey);
    expect((await cert('authz')).checkPrivateKey(createPrivateKey(await readFile(join(dir, 'authz.key'))))).toBe(true);
    expect(await readFile(join(dir, 'xds.crt'), 'utf8')).toBe(xds);
  });

  it('adds a Gateway and a client, with their identities', async () => {
    await run('pki', 'init', '--dir', dir);
    expect((await run('pki', 'issue', '--gateway', 'team/edge', '--dir', dir)).code).toBe(0);
    expect((await run('pki', 'issue', '--client', 'bench', '--dir', dir, '--days', '1')).code).toBe(0);
    expect((await cert('envoy-team-edge')).subjectAltName).toBe('URI:spiffe://gatehouse/gateway/team/edge');
    expect((await cert('client-bench')).subjectAltName).toBe('URI:spiffe://gatehouse/client/bench');
    // The services read identities with @gatehouse/contracts: the same spelling.
    expect(parseIdentity('spiffe://gatehouse/gateway/team/edge')).toEqual({ kind: 'gateway', namespace: 'team', name: 'edge' });
    for (const [base, identity] of [
      ['envoy-team-edge', { kind: 'gateway', namespace: 'team', name: 'edge' }],
      ['client-bench', { kind: 'client', name: 'bench' }],
      ['xds', { kind: 'service', name: 'xds' }],
    ] as const) {
      expect(parseIdentity((await cert(base)).subjectAltName!.split(', ')[0]!.slice('URI:'.length)), base).toEqual(identity);
    }
  });

  it('needs exactly one subject, and a CA', async () => {
    expect((await run('pki', 'issue', '--dir', dir)).code).toBe(2);
    expect((await run('pki', 'issue', 'xds', '--client', 'x', '--dir', dir)).code).toBe(2);
    const noCa = await run('pki', 'issue', 'xds', '--dir', dir);
    expect(noCa.code).toBe(1);
    expect(noCa.stderr).toContain('run `gatehouse pki init');
    expect((await run('pki', 'issue', 'redis', '--dir', dir)).stderr).toBeTruthy();
  });
});

describe('gatehouse pki show', () => {
  it('lists each identity with its expiry, and flags what is wrong (exit 1)', async () => {
    await run('pki', 'init', '--dir', dir, '--gateway', 'team/edge');
    const ok = await run('pki', 'show', '--dir', dir);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^FILE +IDENTITY +NOT AFTER +DAYS +STATUS$/m);
    expect(ok.stdout).toMatch(/^envoy-team-edge\.crt +spiffe:\/\/gatehouse\/gateway\/team\/edge +\d{4}-\d\d-\d\d +(89|90) +ok$/m);
    await writeFile(join(dir, 'xds.key'), await readFile(join(dir, 'authz.key')));
    const json = await run('pki', 'show', '--dir', dir, '--output', 'json');
    expect(json.code).toBe(1);
    const rows = JSON.parse(json.stdout) as { file: string; identity: string; status: string }[];
    expect(rows.find((r) => r.file === 'xds.crt')).toMatchObject({ identity: 'spiffe://gatehouse/service/xds', status: 'KEY MISMATCH' });
    expect(rows[0]).toMatchObject({ file: 'ca.crt', status: 'ok' });
  });
});
