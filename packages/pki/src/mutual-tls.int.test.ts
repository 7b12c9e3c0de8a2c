// The certificates work for what they are for: a TLS 1.3 handshake where each side requires the other's
// certificate from the deployment CA (OpenSSL through node:tls, as grpc-js uses it), and the CA's name
// constraints refuse a leaf that claims an identity outside spiffe://gatehouse.
import { once } from 'node:events';
import { connect, createServer, type TLSSocket } from 'node:tls';
import * as x509 from '@peculiar/x509';
import { describe, expect, it } from 'vitest';
import { clientIdentity, createCa, importPrivateKeyPem, issueCertificate, serviceIdentity, type PemPair } from './index.js';

async function handshake(server: PemPair, client: PemPair, caPem: string): Promise<{ ok: boolean; peerUri?: string; error?: string }> {
  const tlsServer = createServer({ cert: server.certPem, key: server.keyPem, ca: caPem, requestCert: true, rejectUnauthorized: true, minVersion: 'TLSv1.3' }, (s) => s.end('hi'));
  tlsServer.on('tlsClientError', () => {});
  tlsServer.listen(0, '127.0.0.1');
  await once(tlsServer, 'listening');
  const { port } = tlsServer.address() as { port: number };
  try {
    return await new Promise((resolve) => {
      const socket: TLSSocket = connect({ host: '127.0.0.1', port, servername: 'authz', cert: client.certPem, key: client.keyPem, ca: caPem, minVersion: 'TLSv1.3' });
      socket.once('secureConnect', () => {
        socket.once('data', () => {
          resolve({ ok: true, peerUri: socket.getPeerCertificate().subjectaltname?.split(', ')[0] ?? '' });
          socket.destroy();
        });
      });
      socket.once('error', (err) => resolve({ ok: false, error: (err as NodeJS.ErrnoException).code ?? err.message }));
      socket.once('close', () => resolve({ ok: false, error: 'closed' }));
    });
  } finally {
    tlsServer.close();
  }
}

describe('mutual TLS with the deployment PKI', () => {
  it('completes a TLS 1.3 handshake both ways, each side seeing the other identity', async () => {
    const ca = await createCa();
    const server = await issueCertificate({ ca, identity: serviceIdentity('authz') });
    const client = await issueCertificate({ ca, identity: clientIdentity('test') });
    expect(await handshake(server, client, ca.certPem)).toEqual({ ok: true, peerUri: 'URI:spiffe://gatehouse/service/authz' });
  });

  it('refuses a client certificate from another CA', async () => {
    const ca = await createCa();
    const server = await issueCertificate({ ca, identity: serviceIdentity('authz') });
    const stranger = await issueCertificate({ ca: await createCa(), identity: clientIdentity('test') });
    expect((await handshake(server, stranger, ca.certPem)).ok).toBe(false);
  });

  it('refuses a leaf the CA signed for a URI outside spiffe://gatehouse (name constraints)', async () => {
    const ca = await createCa();
    const server = await issueCertificate({ ca, identity: serviceIdentity('authz') });
    const caCert = new x509.X509Certificate(ca.certPem);
    const signedFor = async (uri: string): Promise<PemPair> => {
    const keys = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']);
    const forged = await x509.X509CertificateGenerator.create({
      subject: 'CN=forged',
      issuer: caCert.subject,
      notBefore: new Date(Date.now() - 60_000),
      notAfter: new Date(Date.now() + 86_400_000),
      publicKey: keys.publicKey,
      signingKey: await importPrivateKeyPem(ca.keyPem),
      signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
      extensions: [new x509.SubjectAlternativeNameExtension([{ type: 'url', value: uri }]), new x509.ExtendedKeyUsageExtension(['1.3.6.1.5.5.7.3.2'])],
    });
    const keyDer = await crypto.subtle.exportKey('pkcs8', keys.privateKey);
    return { certPem: forged.toString('pem'), keyPem: x509.PemConverter.encode(keyDer, 'PRIVATE KEY') };
    };
    // The same certificate shape inside the trust domain passes: only the URI makes the difference.
    expect((await handshake(server, await signedFor('spiffe://gatehouse/client/x'), ca.certPem)).ok).toBe(true);
    expect((await handshake(server, await signedFor('spiffe://elsewhere/client/x'), ca.certPem)).ok).toBe(false);
  });
});
