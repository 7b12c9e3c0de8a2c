// What an Envoy TLS listener does with a client certificate, for the emulator: the filter chain's
// DownstreamTlsContext decides whether one is required and how it is verified (trusted CA, validity,
// pinned SPKI and certificate hashes, subject alternative names); a refused handshake throws, as a
// real client sees a connection error. Then x-forwarded-client-cert follows forward_client_cert_details.
import { createHash, X509Certificate } from 'node:crypto';
import type { EmulatedRequest } from './route-matching.js';
import type { EnvoySnapshot, HttpConnectionManager } from './types.js';

interface ValidationContext {
  trusted_ca?: { inline_string?: string };
  verify_certificate_spki?: string[];
  verify_certificate_hash?: string[];
  match_typed_subject_alt_names?: Array<{ san_type?: string; matcher?: { exact?: string; prefix?: string; suffix?: string; safe_regex?: { regex?: string } } }>;
  allow_expired_certificate?: boolean;
  trust_chain_verification?: string;
}

interface DownstreamTls {
  require_client_certificate?: boolean | { value?: boolean };
  common_tls_context?: { validation_context?: ValidationContext };
}

const PEM = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;
const SAN_PREFIX: Record<string, string> = { DNS: 'DNS:', URI: 'URI:', EMAIL: 'email:', IP_ADDRESS: 'IP Address:' };

function tlsContextOf(snapshot: EnvoySnapshot, port: number, request: EmulatedRequest): DownstreamTls | undefined {
  const listener = snapshot.listeners.find((l) => l.address?.socket_address?.port_value === port);
  const sni = request.host.replace(/:\d+$/, '');
  const chains = (listener?.filter_chains ?? []) as Array<{ filter_chain_match?: { server_names?: string[] }; transport_socket?: { typed_config?: DownstreamTls } }>;
  const chain =
    chains.find((c) => c.filter_chain_match?.server_names?.some((n) => n === sni || (n.startsWith('*.') && sni.endsWith(n.slice(1))))) ??
    chains.find((c) => !c.filter_chain_match?.server_names?.length);
  return chain?.transport_socket?.typed_config;
}

function sanMatches(certificate: X509Certificate, matcher: NonNullable<ValidationContext['match_typed_subject_alt_names']>[number]): boolean {
  const prefix = SAN_PREFIX[matcher.san_type ?? ''];
  if (!prefix) return false;
  const values = (certificate.subjectAltName ?? '').split(', ').filter((entry) => entry.startsWith(prefix)).map((entry) => entry.slice(prefix.length));
  const m = matcher.matcher ?? {};
  return values.some((v) => (m.exact !== undefined && v === m.exact) || (m.prefix !== undefined && v.startsWith(m.prefix)) || (m.suffix !== undefined && v.endsWith(m.suffix)) || (m.safe_regex?.regex !== undefined && new RegExp(`^(?:${m.safe_regex.regex})$`).test(v)));
}

/** The verified client certificate (undefined when none was asked for or given); throws on a refused handshake. */
export function checkClientCertificate(snapshot: EnvoySnapshot, port: number, request: EmulatedRequest): X509Certificate | undefined {
  const tls = tlsContextOf(snapshot, port, request);
  const validation = tls?.common_tls_context?.validation_context;
  const required = typeof tls?.require_client_certificate === 'object' ? tls.require_client_certificate.value === true : tls?.require_client_certificate === true;
  if (!validation) return undefined;
  if (!request.clientCertificate) {
    if (required) throw new Error('TLS handshake failed: the listener requires a client certificate');
    return undefined;
  }
  const certificate = new X509Certificate(request.clientCertificate);
  const fail = (why: string): never => {
    throw new Error(`TLS handshake failed: ${why}`);
  };
  if (validation.trust_chain_verification !== 'ACCEPT_UNTRUSTED') {
    const cas = (validation.trusted_ca?.inline_string?.match(PEM) ?? []).map((pem) => new X509Certificate(pem));
    if (cas.length > 0 && !cas.some((ca) => certificate.checkIssued(ca) && certificate.verify(ca.publicKey))) fail('the client certificate is not signed by a trusted CA');
    const now = Date.now();
    if (!validation.allow_expired_certificate && (now < Date.parse(certificate.validFrom) || now > Date.parse(certificate.validTo))) fail('the client certificate is expired or not yet valid');
  }
  const spki = createHash('sha256').update(certificate.publicKey.export({ type: 'spki', format: 'der' })).digest('base64');
  if (validation.verify_certificate_spki?.length && !validation.verify_certificate_spki.includes(spki)) fail('the client certificate key is not pinned');
  const hash = certificate.fingerprint256.replace(/:/g, '').toLowerCase();
  if (validation.verify_certificate_hash?.length && !validation.verify_certificate_hash.some((h) => h.replace(/:/g, '').toLowerCase() === hash)) fail('the client certificate is not pinned');
  const sans = validation.match_typed_subject_alt_names ?? [];
  if (sans.length > 0 && !sans.some((matcher) => sanMatches(certificate, matcher))) fail('no subject alternative name of the client certificate is allowed');
  return certificate;
}

/** x-forwarded-client-cert as the connection manager leaves it (SANITIZE unless configured). */
export function forwardClientCert(hcm: HttpConnectionManager, certificate: X509Certificate | undefined, headers: Record<string, string>): void {
  const mode = String(hcm.forward_client_cert_details ?? 'SANITIZE');
  const details = (hcm.set_current_client_cert_details ?? {}) as { subject?: boolean; uri?: boolean; dns?: boolean };
  const current = () => {
    const parts = [`Hash=${certificate!.fingerprint256.replace(/:/g, '').toLowerCase()}`];
    if (details.subject) parts.push(`Subject="${certificate!.subject.split('\n').reverse().join(',')}"`);
    const sans = (certificate!.subjectAltName ?? '').split(', ');
    if (details.uri) for (const uri of sans.filter((s) => s.startsWith('URI:'))) parts.push(`URI=${uri.slice(4)}`);
    if (details.dns) for (const dns of sans.filter((s) => s.startsWith('DNS:'))) parts.push(`DNS=${dns.slice(4)}`);
    return parts.join(';');
  };
  if (mode === 'SANITIZE') delete headers['x-forwarded-client-cert'];
  else if (mode === 'SANITIZE_SET') {
    if (certificate) headers['x-forwarded-client-cert'] = current();
    else delete headers['x-forwarded-client-cert'];
  } else if (mode === 'APPEND_FORWARD' && certificate) {
    headers['x-forwarded-client-cert'] = headers['x-forwarded-client-cert'] ? `${headers['x-forwarded-client-cert']},${current()}` : current();
  }
  // FORWARD_ONLY and ALWAYS_FORWARD_ONLY pass the client's header on as it is.
}
