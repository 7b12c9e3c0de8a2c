// Every certificate: a timeline of its lifetime with the renewal window, then the details; for those the
// certs service manages, its renewal time, last failure and next attempt, and renew / revoke (ADMIN_TOKEN).
import { useState } from 'preact/hooks';
import { certificateAction } from '../api.js';
import { describeTimeFrom } from '../describe.js';
import type { CertificateView, ManagedCertificate } from '../model.js';

export function CertificatesView({ certificates, token }: { certificates: CertificateView[]; token: string }) {
  const [adminToken, setAdminToken] = useState(token);
  const now = Date.now();
  if (certificates.length === 0) return <p class="muted">No certificate is served: an HTTPS listener with a certificate (or an ACME-issued one) shows here.</p>;
  const managed = certificates.some((c) => c.managed);
  return (
    <div class="stack">
      {managed ? (
        <label class="inline-token">
          Admin token (renew, revoke)
          <input type="password" autocomplete="off" value={adminToken} onInput={(e) => setAdminToken((e.target as HTMLInputElement).value)} />
        </label>
      ) : null}
      {certificates.map((c) => (
        <section class="card" key={c.name} data-testid={`certificate-${c.name}`}>
          <header class="card-head">
            <h2>
              <span class="name">{c.name}</span>
            </h2>
            <ExpiryPill certificate={c} now={now} />
          </header>
          {c.notBefore && c.notAfter && c.renewAfter ? <Timeline notBefore={c.notBefore} notAfter={c.notAfter} renewFrom={c.managed?.renewalTime ?? c.renewAfter} now={now} /> : null}
          <dl class="facts">
            <dt>Hostnames</dt>
            <dd>{c.hostnames.join(', ') || c.subject}</dd>
            {c.issuer ? (
              <>
                <dt>Issuer</dt>
                <dd>{c.issuer}</dd>
              </>
            ) : null}
            {c.notBefore && c.notAfter ? (
              <>
                <dt>Valid</dt>
                <dd>
                  {c.notBefore.slice(0, 10)} to {c.notAfter.slice(0, 16).replace('T', ' ')} UTC
                </dd>
              </>
            ) : null}
            {c.renewAfter && !c.managed?.renewalTime ? (
              <>
                <dt>Renewal</dt>
                <dd>from {c.renewAfter.slice(0, 10)} (a third of the lifetime left; the CA's ARI window wins when it has one)</dd>
              </>
            ) : null}
            {c.gateways.length > 0 ? (
              <>
                <dt>Served to</dt>
                <dd>{c.gateways.join(', ')}</dd>
              </>
            ) : null}
          </dl>
          {c.managed ? <Managed managed={c.managed} now={now} adminToken={adminToken} /> : null}
        </section>
      ))}
    </div>
  );
}

function ExpiryPill({ certificate: c, now }: { certificate: CertificateView; now: number }) {
  if (!c.notAfter) return <span class="pill warn">not issued yet</span>;
  const renewFrom = c.managed?.renewalTime ?? c.renewAfter;
  const tone = Date.parse(c.notAfter) < now ? 'bad' : renewFrom && Date.parse(renewFrom) < now ? 'warn' : 'ok';
  return <span class={`pill ${tone}`}>expires {describeTimeFrom(c.notAfter, now)}</span>;
}

function Managed({ managed: m, now, adminToken }: { managed: ManagedCertificate; now: number; adminToken: string }) {
  const [outcome, setOutcome] = useState<string | undefined>();
  const act = async (action: 'renew' | 'revoke'): Promise<void> => {
    if (action === 'revoke' && !confirm(`Revoke the certificate of ${m.certificate} at the CA, then order a new one?`)) return;
    const result = await certificateAction(m.certificate, action, adminToken).catch((err: unknown) => ({ ok: false, status: 0, message: String(err) }));
    setOutcome(result.ok ? `${action === 'renew' ? 'Renewal' : 'Revocation'} requested: ${result.message}` : `Refused (${result.status}): ${result.message}`);
  };
  return (
    <div class="managed">
      <h3>Managed by the certs service</h3>
      <dl class="facts">
        <dt>Certificate</dt>
        <dd>
          {m.certificate} from {m.issuerRef}
        </dd>
        <dt>Ready</dt>
        <dd class={m.ready.status === 'True' ? 'ok-text' : 'bad-text'}>
          {m.ready.status} ({m.ready.reason}): {m.ready.message}
        </dd>
        {m.issuing ? (
          <>
            <dt>Issuing</dt>
            <dd>
              {m.issuing.reason}: {m.issuing.message}
            </dd>
          </>
        ) : null}
        {m.renewalTime ? (
          <>
            <dt>Renewal</dt>
            <dd>
              {m.renewalTime.slice(0, 16).replace('T', ' ')} UTC ({describeTimeFrom(m.renewalTime, now)})
            </dd>
          </>
        ) : null}
        {m.lastFailureTime ? (
          <>
            <dt>Last failure</dt>
            <dd class="bad-text" data-testid="last-failure">
              {describeTimeFrom(m.lastFailureTime, now)}
              {m.failedIssuanceAttempts ? `, ${m.failedIssuanceAttempts} failed ${m.failedIssuanceAttempts === 1 ? 'attempt' : 'attempts'}` : ''}
            </dd>
          </>
        ) : null}
        {m.nextAttemptTime ? (
          <>
            <dt>Next attempt</dt>
            <dd>{describeTimeFrom(m.nextAttemptTime, now)}</dd>
          </>
        ) : null}
      </dl>
      <div class="actions">
        <button type="button" onClick={() => void act('renew')}>
          Renew now
        </button>
        <button type="button" onClick={() => void act('revoke')}>
          Revoke
        </button>
        {outcome ? <span class="small">{outcome}</span> : null}
      </div>
    </div>
  );
}

function Timeline({ notBefore, notAfter, renewFrom, now }: { notBefore: string; notAfter: string; renewFrom: string; now: number }) {
  const start = Date.parse(notBefore);
  const end = Date.parse(notAfter);
  const at = (t: number): string => `${Math.min(100, Math.max(0, ((t - start) / (end - start || 1)) * 100)).toFixed(2)}%`;
  return (
    <div class="timeline" role="img" aria-label={`valid until ${notAfter}, renewal from ${renewFrom}`}>
      <div class="renew-window" style={{ left: at(Date.parse(renewFrom)), right: '0' }} />
      <div class="now" style={{ left: at(now) }} />
    </div>
  );
}
