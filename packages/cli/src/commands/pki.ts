// gatehouse pki init | issue | show: the deployment's CA and its components' certificates in a folder
// (packages/pki/README.md has the layout). init is idempotent: run on every start, it creates what is
// missing and renews what is near its end, and never replaces an existing CA.
import {
  clientIdentity,
  createCa,
  defaultSubjectAltNames,
  describeCertificate,
  identityFileBase,
  identityLabel,
  identityUri,
  importPrivateKeyPem,
  isSignedBy,
  issueCertificate,
  keyMatchesCertificate,
  parseCertificatePem,
  parseGatewayRef,
  serviceIdentity,
  SERVICE_COMPONENTS,
  type Identity,
  type PemPair,
} from '@gatehouse/pki';
import type { CliIo } from '../cli-io.js';
import { UsageError } from '../cli-io.js';
import { CA_BASE, PkiFolder } from '../pki/pki-folder.js';
import { certificateState } from '../pki/pki-plan.js';

export interface PkiOptions {
  readonly dir: string;
  readonly validityDays?: number;
  readonly k8sNamespace?: string;
  readonly now?: Date;
}

const day = (d: Date) => d.toISOString().slice(0, 10);

export function parseDays(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const days = Number(raw);
  if (!Number.isInteger(days) || days < 1 || days > 3650) throw new UsageError(`--days must be a whole number of days (1-3650), got "${raw}"`);
  return days;
}

async function loadExistingCa(folder: PkiFolder): Promise<PemPair> {
  const certPem = await folder.readCert(CA_BASE);
  const keyPem = await folder.readKey(CA_BASE);
  if (certPem === undefined) throw new Error(`${folder.certPath(CA_BASE)} does not exist: run \`gatehouse pki init --dir ${folder.dir}\` first`);
  if (keyPem === undefined) throw new Error(`${folder.keyPath(CA_BASE)} does not exist: certificates are issued where the CA key is`);
  return { certPem, keyPem };
}

async function issueInto(folder: PkiFolder, ca: PemPair, identity: Identity, options: PkiOptions): Promise<Date> {
  const pair = await issueCertificate({
    ca,
    identity,
    ...(options.validityDays ? { validityDays: options.validityDays } : {}),
    ...(options.k8sNamespace ? { k8sNamespace: options.k8sNamespace } : {}),
    ...(options.now ? { now: options.now } : {}),
  });
  await folder.writePair(identityFileBase(identity), pair);
  return parseCertificatePem(pair.certPem).notAfter;
}

export async function pkiInitCommand(options: PkiOptions & { gateways: readonly string[] }, io: CliIo): Promise<number> {
  const identities = [...SERVICE_COMPONENTS.map(serviceIdentity), ...options.gateways.map(parseGatewayRef)];
  const folder = new PkiFolder(options.dir);
  await folder.ensure();
  const now = options.now ?? new Date();
  const existingCert = await folder.readCert(CA_BASE);
  const existingKey = await folder.readKey(CA_BASE);
  let ca: PemPair;
  if (existingCert === undefined && existingKey === undefined) {
    ca = await createCa({ now });
    await folder.writeNewCa(ca);
    io.stdout(`created the CA ${folder.certPath(CA_BASE)} (key ${folder.keyPath(CA_BASE)}, until ${day(parseCertificatePem(ca.certPem).notAfter)})\n`);
  } else {
    ca = await loadExistingCa(folder);
    io.stdout(`kept the CA ${folder.certPath(CA_BASE)}\n`);
  }
  for (const identity of identities) {
    const base = identityFileBase(identity);
    const wanted = defaultSubjectAltNames(identity, options.k8sNamespace ? { k8sNamespace: options.k8sNamespace } : {}).dnsNames;
    const state = await certificateState(await folder.readCert(base), await folder.readKey(base), ca.certPem, now, wanted);
    if (state.state === 'ok') {
      io.stdout(`kept    ${base}.crt  ${identityLabel(identity)} until ${day(state.notAfter)}\n`);
      continue;
    }
    const notAfter = await issueInto(folder, ca, identity, options);
    const why = state.state === 'missing' ? 'new' : state.state;
    io.stdout(`issued  ${base}.crt  ${identityLabel(identity)} until ${day(notAfter)} (${why})\n`);
  }
  return 0;
}

export async function pkiIssueCommand(options: PkiOptions & { component?: string; gateway?: string; client?: string }, io: CliIo): Promise<number> {
  const given = [options.component, options.gateway, options.client].filter((v) => v !== undefined);
  if (given.length !== 1) throw new UsageError('pki issue needs one of: <component>, --gateway <namespace>/<name>, --client <name>');
  const identity = options.component !== undefined ? serviceIdentity(options.component) : options.gateway !== undefined ? parseGatewayRef(options.gateway) : clientIdentity(options.client!);
  const folder = new PkiFolder(options.dir);
  const ca = await loadExistingCa(folder);
  const base = identityFileBase(identity);
  const notAfter = await issueInto(folder, ca, identity, options);
  io.stdout(`issued  ${base}.crt  ${identityLabel(identity)} (${identityUri(identity)}) until ${day(notAfter)}\n`);
  io.stdout(`  certificate ${folder.certPath(base)}\n  key         ${folder.keyPath(base)}\n`);
  return 0;
}

interface ShowRow {
  file: string;
  identity: string;
  notAfter: string;
  daysLeft: number;
  status: string;
}

export async function pkiShowCommand(options: PkiOptions & { output: 'text' | 'json' }, io: CliIo): Promise<number> {
  const folder = new PkiFolder(options.dir);
  const caPem = await folder.readCert(CA_BASE);
  if (caPem === undefined) throw new Error(`${folder.certPath(CA_BASE)} does not exist: run \`gatehouse pki init --dir ${folder.dir}\` first`);
  const now = options.now ?? new Date();
  const rows: ShowRow[] = [];
  const row = async (base: string, certPem: string, keyPem: string | undefined): Promise<ShowRow> => {
    const summary = await describeCertificate(certPem);
    let status = 'ok';
    if (summary.notAfter <= now) status = 'EXPIRED';
    else if (base !== CA_BASE && !(await isSignedBy(certPem, caPem))) status = 'NOT FROM ca.crt';
    else if (keyPem !== undefined && !(await keyMatchesCertificate(await importPrivateKeyPem(keyPem), parseCertificatePem(certPem)))) status = 'KEY MISMATCH';
    else if (keyPem === undefined && base !== CA_BASE) status = 'NO KEY';
    else if (summary.notAfter.getTime() - now.getTime() < 30 * 86_400_000) status = 'renew soon';
    const identity = base === CA_BASE ? `CA (${summary.subject})` : summary.identity ? identityUri(summary.identity) : (summary.uris[0] ?? summary.subject);
    return { file: `${base}.crt`, identity, notAfter: summary.notAfter.toISOString(), daysLeft: Math.floor((summary.notAfter.getTime() - now.getTime()) / 86_400_000), status };
  };
  rows.push(await row(CA_BASE, caPem, await folder.readKey(CA_BASE)));
  for (const base of await folder.listCertificates()) {
    const certPem = await folder.readCert(base);
    if (certPem === undefined) continue;
    try {
      rows.push(await row(base, certPem, await folder.readKey(base)));
    } catch (err) {
      rows.push({ file: `${base}.crt`, identity: '-', notAfter: '-', daysLeft: 0, status: `UNREADABLE: ${(err as Error).message}` });
    }
  }
  if (options.output === 'json') {
    io.stdout(`${JSON.stringify(rows, null, 2)}\n`);
  } else {
    const width = Math.max(...rows.map((r) => r.file.length), 4);
    const idWidth = Math.max(...rows.map((r) => r.identity.length), 8);
    io.stdout(`${'FILE'.padEnd(width)}  ${'IDENTITY'.padEnd(idWidth)}  NOT AFTER   DAYS  STATUS\n`);
    for (const r of rows) io.stdout(`${r.file.padEnd(width)}  ${r.identity.padEnd(idWidth)}  ${r.notAfter.slice(0, 10)}  ${String(r.daysLeft).padStart(4)}  ${r.status}\n`);
  }
  return rows.every((r) => r.status === 'ok' || r.status === 'renew soon') ? 0 : 1;
}
