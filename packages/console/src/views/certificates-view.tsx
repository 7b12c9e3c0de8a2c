// Every served certificate: a timeline of its lifetime with the renewal window, then the details.
import { describeTimeFrom } from '../describe.js';
import type { CertificateView } from '../model.js';

export function CertificatesView({ certificates }: { certificates: CertificateView[] }) {
  const now = Date.now();
  if (certificates.length === 0) return <p class="muted">No certificate is served: an HTTPS listener with a certificate (or an ACME-issued one) shows here.</p>;
  return (
    <div class="stack">
      {certificates.map((c) => (
        <section class="card" key={c.name} data-testid={`certificate-${c.name}`}>
          <header class="card-head">
            <h2>
              <span class="name">{c.name}</span>
            </h2>
            <span class={Date.parse(c.notAfter) < now ? 'pill bad' : Date.parse(c.renewAfter) < now ? 'pill warn' : 'pill ok'}>
              expires {describeTimeFrom(c.notAfter, now)}
            </span>
          </header>
          <Timeline certificate={c} now={now} />
          <dl class="facts">
            <dt>Hostnames</dt>
            <dd>{c.hostnames.join(', ') || c.subject}</dd>
            <dt>Issuer</dt>
            <dd>{c.issuer}</dd>
            <dt>Valid</dt>
            <dd>
              {c.notBefore.slice(0, 10)} to {c.notAfter.slice(0, 16).replace('T', ' ')} UTC
            </dd>
            <dt>Renewal</dt>
            <dd>from {c.renewAfter.slice(0, 10)} (a third of the lifetime left; the CA's ARI window wins when it has one)</dd>
            <dt>Served to</dt>
            <dd>{c.gateways.join(', ')}</dd>
          </dl>
        </section>
      ))}
    </div>
  );
}

function Timeline({ certificate, now }: { certificate: CertificateView; now: number }) {
  const start = Date.parse(certificate.notBefore);
  const end = Date.parse(certificate.notAfter);
  const at = (t: number): string => `${Math.min(100, Math.max(0, ((t - start) / (end - start || 1)) * 100)).toFixed(2)}%`;
  return (
    <div class="timeline" role="img" aria-label={`valid until ${certificate.notAfter}, renewal from ${certificate.renewAfter}`}>
      <div class="renew-window" style={{ left: at(Date.parse(certificate.renewAfter)), right: '0' }} />
      <div class="now" style={{ left: at(now) }} />
    </div>
  );
}
