// Reads cert-manager YAML documents into the resource model, one document at a time
// (compileDocument): each problem is a ConfigIssue naming the file, line, resource and JSON path; a
// bad resource is left out and the rest still applies. This is the certs service's compile step; the
// config intake (workflow/config-intake.ts) keeps the last good version of each resource.
import type { ConfigIssue } from '@gatehouse/schemas';
import { CertsErrorCodes } from '../errors.js';
import { parseGoDuration } from './go-duration.js';
import {
  DEFAULT_PRIVATE_KEY,
  type AcmeIssuerConfig,
  type Certificate,
  type Issuer,
  type IssuerKind,
  type PrivateKeySpec,
  type Secret,
  type SecretKeyRef,
  type Solver,
} from './resources.js';

export interface SourceDocument {
  /** File name (or other origin) for messages. */
  readonly file: string;
  readonly doc: unknown;
  /** 1-based line of a JSON pointer in the document, when known (parseYamlFile's lineOf). */
  readonly lineOf?: (pointer: string) => number;
}

/** Validates one document against its CRD schema; @gatehouse/schemas' validateResource fits. */
export type SchemaValidator = (doc: unknown) => readonly { path: string; message: string }[];

/** One resource this service reads, under its catalog id. */
export type CertsResource =
  | { readonly kind: 'Issuer' | 'ClusterIssuer'; readonly id: string; readonly issuer: Issuer }
  | { readonly kind: 'Certificate'; readonly id: string; readonly certificate: Certificate }
  | { readonly kind: 'Secret'; readonly id: string; readonly secret: Secret };

export interface CompiledDocument {
  /** "Kind namespace/name" ("ClusterIssuer name"); absent when the document cannot be identified. */
  readonly key?: string;
  /** The accepted resource; absent when the document is invalid. */
  readonly resource?: CertsResource;
  readonly issues: readonly ConfigIssue[];
}

export interface ResourceSet {
  readonly issuers: ReadonlyMap<string, Issuer>;
  readonly certificates: ReadonlyMap<string, Certificate>;
  readonly secrets: ReadonlyMap<string, Secret>;
  readonly issues: readonly ConfigIssue[];
}

const CERT_MANAGER_GROUP = 'cert-manager.io';
const DNS_NAME = /^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

class Collector {
  readonly issues: ConfigIssue[] = [];
  constructor(
    readonly file: string,
    readonly kind: string,
    readonly namespace: string | undefined,
    readonly name: string,
    readonly lineOf?: (pointer: string) => number,
  ) {}
  add(path: string, message: string): void {
    this.issues.push({
      code: CertsErrorCodes.CONFIG_INVALID,
      file: this.file,
      ...(this.lineOf ? { line: this.lineOf(path) } : {}),
      kind: this.kind,
      ...(this.namespace ? { namespace: this.namespace } : {}),
      name: this.name,
      path,
      message,
    });
  }
}

/**
 * Reads one document. Undefined: a kind this service does not read (Gateways, routes may share the
 * directory with xds).
 */
export function compileDocument(source: SourceDocument, validateSchema?: SchemaValidator): CompiledDocument | undefined {
  const { file, doc, lineOf } = source;
  if (doc === null || doc === undefined) return undefined;
  if (!isObject(doc)) {
    return { issues: [{ code: CertsErrorCodes.CONFIG_INVALID, file, ...(lineOf ? { line: lineOf('') } : {}), path: '', message: 'expected a mapping' }] };
  }
  const kind = str(doc.kind) ?? '(no kind)';
  const apiVersion = str(doc.apiVersion);
  const isCertManager = kind === 'Issuer' || kind === 'ClusterIssuer' || kind === 'Certificate';
  const isSecret = kind === 'Secret' && apiVersion === 'v1';
  if (!isCertManager && !isSecret) return undefined;
  const metadata = isObject(doc.metadata) ? doc.metadata : {};
  const name = str(metadata.name);
  const namespace = kind === 'ClusterIssuer' ? undefined : (str(metadata.namespace) ?? 'default');
  const c = new Collector(file, kind, namespace, name ?? '(unnamed)', lineOf);
  if (!name) {
    c.add('/metadata/name', 'is required');
    return { issues: c.issues };
  }
  const key = `${kind} ${namespace ? `${namespace}/` : ''}${name}`;
  if (isCertManager && apiVersion !== `${CERT_MANAGER_GROUP}/v1`) c.add('/apiVersion', `must be ${CERT_MANAGER_GROUP}/v1 for ${kind}`);
  if (isCertManager && validateSchema && c.issues.length === 0) {
    for (const issue of validateSchema(doc)) c.add(issue.path, issue.message);
  }
  if (c.issues.length > 0) return { key, issues: c.issues };
  const resource = readResource(doc, kind, namespace ?? '', name, file, c);
  return c.issues.length === 0 && resource ? { key, resource, issues: [] } : { key, issues: c.issues };
}

function readResource(doc: Json, kind: string, namespace: string, name: string, file: string, c: Collector): CertsResource | undefined {
  if (kind === 'Issuer' || kind === 'ClusterIssuer') {
    const acme = readAcmeIssuer(doc.spec, c);
    return acme ? { kind, id: kind === 'ClusterIssuer' ? `ClusterIssuer/${name}` : `Issuer/${namespace}/${name}`, issuer: { kind, namespace, name, acme } } : undefined;
  }
  if (kind === 'Certificate') {
    const certificate = readCertificate(doc.spec, namespace, name, `file:${file}`, c);
    return certificate ? { kind, id: `${namespace}/${name}`, certificate } : undefined;
  }
  const secret = readSecret(doc, namespace, name, c);
  return { kind: 'Secret', id: `${namespace}/${name}`, secret };
}

/** The catalog's maps from accepted resources. */
export function resourceSetOf(resources: Iterable<CertsResource>, issues: readonly ConfigIssue[] = []): ResourceSet {
  const issuers = new Map<string, Issuer>();
  const certificates = new Map<string, Certificate>();
  const secrets = new Map<string, Secret>();
  for (const r of resources) {
    if (r.kind === 'Certificate') certificates.set(r.id, r.certificate);
    else if (r.kind === 'Secret') secrets.set(r.id, r.secret);
    else issuers.set(r.id, r.issuer);
  }
  return { issuers, certificates, secrets, issues };
}

/** Every document at once, without a last good version (tests, benches, the CLI). */
export function buildResourceSet(documents: readonly SourceDocument[], validateSchema?: SchemaValidator): ResourceSet {
  const resources: CertsResource[] = [];
  const issues: ConfigIssue[] = [];
  for (const document of documents) {
    const compiled = compileDocument(document, validateSchema);
    if (compiled?.resource) resources.push(compiled.resource);
    issues.push(...(compiled?.issues ?? []));
  }
  return resourceSetOf(resources, issues);
}

function readSecretKeyRef(v: unknown, path: string, c: Collector, defaultKey?: string): SecretKeyRef | undefined {
  if (!isObject(v)) {
    c.add(path, 'must be an object with name and key');
    return undefined;
  }
  const name = str(v.name);
  const key = str(v.key) ?? defaultKey;
  if (!name) c.add(`${path}/name`, 'is required');
  if (!key) c.add(`${path}/key`, 'is required');
  return name && key ? { name, key } : undefined;
}

function readAcmeIssuer(spec: unknown, c: Collector): AcmeIssuerConfig | undefined {
  if (!isObject(spec) || !isObject(spec.acme)) {
    c.add('/spec/acme', 'is required: Gatehouse implements the ACME issuer only');
    return undefined;
  }
  const acme = spec.acme;
  const server = str(acme.server);
  if (!server) c.add('/spec/acme/server', 'is required');
  else if (!/^https:\/\//.test(server)) c.add('/spec/acme/server', 'must be an https:// ACME directory URL');
  const keyRef = isObject(acme.privateKeySecretRef) ? str(acme.privateKeySecretRef.name) : undefined;
  if (!keyRef) c.add('/spec/acme/privateKeySecretRef/name', 'is required (names the stored ACME account key)');
  let eab: AcmeIssuerConfig['externalAccountBinding'];
  if (acme.externalAccountBinding !== undefined) {
    const e = isObject(acme.externalAccountBinding) ? acme.externalAccountBinding : {};
    const keyID = str(e.keyID);
    if (!keyID) c.add('/spec/acme/externalAccountBinding/keyID', 'is required');
    const ref = readSecretKeyRef(e.keySecretRef, '/spec/acme/externalAccountBinding/keySecretRef', c);
    if (keyID && ref) eab = { keyID, keySecretRef: ref };
  }
  const solvers: Solver[] = [];
  const rawSolvers = Array.isArray(acme.solvers) ? acme.solvers : [];
  if (rawSolvers.length === 0) c.add('/spec/acme/solvers', 'needs at least one http01 or dns01 solver');
  rawSolvers.forEach((raw, i) => {
    const solver = readSolver(raw, `/spec/acme/solvers/${i}`, c);
    if (solver) solvers.push(solver);
  });
  let caBundlePem: string | undefined;
  if (acme.caBundle !== undefined) {
    caBundlePem = typeof acme.caBundle === 'string' ? Buffer.from(acme.caBundle, 'base64').toString('utf8') : '';
    if (!caBundlePem.includes('-----BEGIN CERTIFICATE-----')) c.add('/spec/acme/caBundle', 'must be a base64-encoded PEM bundle');
  }
  if (acme.skipTLSVerify === true) c.add('/spec/acme/skipTLSVerify', 'is not supported; put the CA in caBundle or ACME_CA_CERTS');
  if (!server || !keyRef) return undefined;
  return {
    server,
    ...(caBundlePem ? { caBundlePem } : {}),
    privateKeySecretRef: keyRef,
    solvers,
    ...(str(acme.email) ? { email: str(acme.email) } : {}),
    ...(eab ? { externalAccountBinding: eab } : {}),
    ...(str(acme.profile) ? { profile: str(acme.profile) } : {}),
  };
}

function readSolver(raw: unknown, path: string, c: Collector): Solver | undefined {
  if (!isObject(raw)) {
    c.add(path, 'must be an object');
    return undefined;
  }
  const selector = isObject(raw.selector)
    ? {
        ...(Array.isArray(raw.selector.dnsNames) ? { dnsNames: raw.selector.dnsNames.map(String) } : {}),
        ...(Array.isArray(raw.selector.dnsZones) ? { dnsZones: raw.selector.dnsZones.map(String) } : {}),
      }
    : undefined;
  if (isObject(raw.http01)) return { ...(selector ? { selector } : {}), http01: raw.http01 };
  if (!isObject(raw.dns01)) {
    c.add(path, 'needs http01 or dns01');
    return undefined;
  }
  const dns01 = raw.dns01;
  if (isObject(dns01.rfc2136)) {
    const r = dns01.rfc2136;
    const nameserver = str(r.nameserver);
    if (!nameserver) c.add(`${path}/dns01/rfc2136/nameserver`, 'is required');
    const tsigSecretSecretRef = r.tsigSecretSecretRef !== undefined ? readSecretKeyRef(r.tsigSecretSecretRef, `${path}/dns01/rfc2136/tsigSecretSecretRef`, c) : undefined;
    if (str(r.tsigKeyName) && !tsigSecretSecretRef) c.add(`${path}/dns01/rfc2136/tsigSecretSecretRef`, 'is required with tsigKeyName');
    if (!nameserver) return undefined;
    return {
      ...(selector ? { selector } : {}),
      dns01: {
        rfc2136: {
          nameserver,
          ...(str(r.tsigKeyName) ? { tsigKeyName: str(r.tsigKeyName) } : {}),
          ...(str(r.tsigAlgorithm) ? { tsigAlgorithm: str(r.tsigAlgorithm) } : {}),
          ...(tsigSecretSecretRef ? { tsigSecretSecretRef } : {}),
        },
      },
    };
  }
  if (isObject(dns01.webhook)) {
    const w = dns01.webhook;
    const config = isObject(w.config) ? w.config : {};
    if (!str(config.presentUrl)) c.add(`${path}/dns01/webhook/config/presentUrl`, 'is required (Gatehouse POSTs the TXT record there)');
    if (!str(config.presentUrl)) return undefined;
    return {
      ...(selector ? { selector } : {}),
      dns01: { webhook: { groupName: str(w.groupName) ?? '', solverName: str(w.solverName) ?? '', config } },
    };
  }
  c.add(`${path}/dns01`, 'Gatehouse supports the rfc2136 and webhook DNS-01 providers');
  return undefined;
}

function readPrivateKey(v: unknown, c: Collector): PrivateKeySpec {
  if (v === undefined) return DEFAULT_PRIVATE_KEY;
  if (!isObject(v)) {
    c.add('/spec/privateKey', 'must be an object');
    return DEFAULT_PRIVATE_KEY;
  }
  const algorithm = str(v.algorithm) ?? 'ECDSA';
  const rotationPolicy = str(v.rotationPolicy) ?? 'Always';
  if (rotationPolicy !== 'Always' && rotationPolicy !== 'Never') c.add('/spec/privateKey/rotationPolicy', 'must be Always or Never');
  if (algorithm === 'ECDSA') {
    const size = typeof v.size === 'number' ? v.size : 256;
    if (size !== 256 && size !== 384) c.add('/spec/privateKey/size', 'ECDSA size must be 256 or 384');
    return { algorithm, size, rotationPolicy: rotationPolicy === 'Never' ? 'Never' : 'Always' };
  }
  if (algorithm === 'RSA') {
    const size = typeof v.size === 'number' ? v.size : 2048;
    if (![2048, 3072, 4096].includes(size)) c.add('/spec/privateKey/size', 'RSA size must be 2048, 3072 or 4096');
    return { algorithm, size, rotationPolicy: rotationPolicy === 'Never' ? 'Never' : 'Always' };
  }
  c.add('/spec/privateKey/algorithm', `${algorithm} is not supported by public ACME CAs; use ECDSA or RSA`);
  return DEFAULT_PRIVATE_KEY;
}

function readCertificate(spec: unknown, namespace: string, name: string, source: string, c: Collector): Certificate | undefined {
  if (!isObject(spec)) {
    c.add('/spec', 'is required');
    return undefined;
  }
  const secretName = str(spec.secretName);
  if (!secretName) c.add('/spec/secretName', 'is required');
  const dnsNames = Array.isArray(spec.dnsNames) ? spec.dnsNames.map((n) => String(n).toLowerCase()) : [];
  if (dnsNames.length === 0) c.add('/spec/dnsNames', 'needs at least one DNS name (ACME certificates are for DNS names)');
  dnsNames.forEach((n, i) => {
    if (!DNS_NAME.test(n)) c.add(`/spec/dnsNames/${i}`, `"${n}" is not a valid DNS name`);
  });
  for (const unsupported of ['ipAddresses', 'uris', 'emailAddresses'] as const) {
    if (Array.isArray(spec[unsupported]) && spec[unsupported].length > 0) c.add(`/spec/${unsupported}`, 'is not supported by the ACME issuer');
  }
  const ref = isObject(spec.issuerRef) ? spec.issuerRef : {};
  const issuerName = str(ref.name);
  if (!issuerName) c.add('/spec/issuerRef/name', 'is required');
  const issuerKind = (str(ref.kind) ?? 'Issuer') as IssuerKind;
  if (issuerKind !== 'Issuer' && issuerKind !== 'ClusterIssuer') c.add('/spec/issuerRef/kind', 'must be Issuer or ClusterIssuer');
  const group = str(ref.group) ?? CERT_MANAGER_GROUP;
  if (group !== CERT_MANAGER_GROUP) c.add('/spec/issuerRef/group', `external issuers are not supported; use ${CERT_MANAGER_GROUP}`);
  const privateKey = readPrivateKey(spec.privateKey, c);

  const durationOf = (field: 'duration' | 'renewBefore'): number | undefined => {
    const raw = spec[field];
    if (raw === undefined) return undefined;
    const ms = typeof raw === 'string' ? parseGoDuration(raw) : undefined;
    if (ms === undefined) c.add(`/spec/${field}`, `"${String(raw)}" is not a duration like 2160h or 30m`);
    return ms;
  };
  const durationMs = durationOf('duration');
  const renewBeforeMs = durationOf('renewBefore');
  let renewBeforePercentage: number | undefined;
  if (spec.renewBeforePercentage !== undefined) {
    const pct = spec.renewBeforePercentage;
    if (typeof pct !== 'number' || !Number.isInteger(pct) || pct < 1 || pct > 99) c.add('/spec/renewBeforePercentage', 'must be an integer from 1 to 99');
    else renewBeforePercentage = pct;
    if (renewBeforeMs !== undefined) c.add('/spec/renewBeforePercentage', 'cannot be combined with renewBefore');
  }
  if (!secretName || !issuerName || dnsNames.length === 0) return undefined;
  return {
    namespace,
    name,
    secretName,
    dnsNames: [...new Set(dnsNames)],
    issuerRef: { name: issuerName, kind: issuerKind, group },
    privateKey,
    source,
    ...(durationMs !== undefined ? { durationMs } : {}),
    ...(renewBeforeMs !== undefined ? { renewBeforeMs } : {}),
    ...(renewBeforePercentage !== undefined ? { renewBeforePercentage } : {}),
  };
}

function readSecret(doc: Json, namespace: string, name: string, c: Collector): Secret {
  const data: Record<string, Buffer> = {};
  if (isObject(doc.data)) {
    for (const [k, v] of Object.entries(doc.data)) {
      if (typeof v !== 'string') c.add(`/data/${k}`, 'must be a base64 string');
      else data[k] = Buffer.from(v, 'base64');
    }
  }
  if (isObject(doc.stringData)) {
    for (const [k, v] of Object.entries(doc.stringData)) data[k] = Buffer.from(String(v), 'utf8');
  }
  return { namespace, name, data };
}

/** Reads the certificate a CertificateWanted job asks for, with the same checks as a file. */
export function certificateFromWanted(
  wanted: {
    namespace: string;
    name: string;
    secret_name: string;
    dns_names: readonly string[];
    issuer_ref?: { name: string; kind: string; group: string } | null;
    source: string;
  },
): { certificate?: Certificate; issues: ConfigIssue[] } {
  const c = new Collector(`CertificateWanted(${wanted.source || 'unknown source'})`, 'Certificate', wanted.namespace || 'default', wanted.name || '(unnamed)');
  const spec = {
    secretName: wanted.secret_name,
    dnsNames: wanted.dns_names,
    issuerRef: { name: wanted.issuer_ref?.name, kind: wanted.issuer_ref?.kind || 'Issuer', group: wanted.issuer_ref?.group || CERT_MANAGER_GROUP },
  };
  const certificate = readCertificate(spec, wanted.namespace || 'default', wanted.name, wanted.source ? `wanted:${wanted.source}` : 'wanted', c);
  return c.issues.length === 0 && certificate ? { certificate, issues: [] } : { issues: c.issues };
}
