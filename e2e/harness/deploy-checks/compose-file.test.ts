import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { composeSpecPath } from '@gatehouse/schemas';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { repoRoot } from '../service.js';
import { checkComposeRules, type ComposeRuleOptions } from './compose-rules.js';

type Compose = { services: Record<string, any>; networks?: Record<string, unknown> }; // eslint-disable-line @typescript-eslint/no-explicit-any

const composeText = readFileSync(join(repoRoot, 'docker-compose.yml'), 'utf8');
// merge: the file shares settings through YAML anchors and "<<" merge keys, as docker compose does.
const compose = parse(composeText, { merge: true }) as Compose;
const rules: ComposeRuleOptions = {
  publicService: 'envoy',
  network: 'gatehouse',
  backendNetwork: 'backends',
  backendServices: ['demo-upstream'],
  baseImage: 'node:24-slim',
  sharedNamespacePorts: { authz: ['3001'] },
  readFile: (relative) => {
    const path = join(repoRoot, relative);
    return existsSync(path) ? readFileSync(path, 'utf8') : undefined;
  },
};
const gatehouseServices = ['xds', 'certs', 'authz', 'ratelimit'];

describe('docker-compose.yml', () => {
  // validateSchema off: the spec names its meta-schema by an https URL ajv does not know (it is plain draft-07).
  const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false, validateSchema: false });
  const validateCompose = ajv.compile(JSON.parse(readFileSync(composeSpecPath, 'utf8')) as object);

  it('is valid against the Compose Specification schema', () => {
    validateCompose(compose);
    expect(validateCompose.errors ?? []).toEqual([]);
  });

  it('would fail the schema with a misspelt key (the check is live)', () => {
    const broken = structuredClone(compose);
    broken.services.redis.helthcheck = broken.services.redis.healthcheck;
    expect(validateCompose(broken)).toBe(false);
  });

  it('follows the house rules (loopback admin ports, health-gated start, upstreams on their own network, non-root node:24-slim images)', () => {
    expect(checkComposeRules(compose, rules)).toEqual([]);
  });

  it('publishes only Envoy on 80 and 443', () => {
    expect(compose.services.envoy.ports).toEqual(['80:8080', '443:8443']);
  });

  it.each(gatehouseServices)('runs %s from the shared Dockerfile with a healthcheck on its admin port', (name) => {
    const service = compose.services[name];
    expect(service.build).toMatchObject({ context: '.', dockerfile: 'deploy/service.Dockerfile', args: { SERVICE: name } });
    expect(service.command).toEqual(['node', `services/${name}/dist/main.js`]);
    expect(service.environment.REDIS_URL).toBe('redis://redis:6379');
    expect(service.healthcheck.test.join(' ')).toContain(`http://127.0.0.1:${service.environment.ADMIN_PORT}/healthz`);
    expect(service.depends_on).toEqual({
      redis: { condition: 'service_healthy' },
      secrets: { condition: 'service_completed_successfully' },
      pki: { condition: 'service_completed_successfully' },
    });
    // Its secrets come from the generated volume, never from a value written in the compose file.
    for (const secret of ['ADMIN_TOKEN', 'CERTS_ENCRYPTION_KEY', 'AUTHZ_COOKIE_SECRET']) {
      if (secret in service.environment) expect(service.environment[secret], `${name} ${secret}`).toBe(`\${${secret}:-}`);
    }
    expect(service.volumes).toContain('gatehouse-secrets:/run/gatehouse:ro');
    // Mutual TLS with its own certificate from the PKI volume, and Redis as its own ACL user.
    expect(service.volumes).toContain('gatehouse-pki:/etc/gatehouse/pki:ro');
    expect(service.environment).toMatchObject({
      TLS_CERT_FILE: `/etc/gatehouse/pki/${name}.crt`,
      TLS_KEY_FILE: `/etc/gatehouse/pki/${name}.key`,
      TLS_CA_FILE: '/etc/gatehouse/pki/ca.crt',
      REDIS_USERNAME: 'gatehouse',
    });
  });

  it('runs the pki one-shot (the CLI image) for the example Gateways, and Envoy mounts its certificate read-only', () => {
    const pki = compose.services.pki;
    expect(pki.build).toMatchObject({ dockerfile: 'deploy/service.Dockerfile', args: { SERVICE: 'cli' } });
    expect(pki.restart).toBe('no');
    expect(pki.network_mode).toBe('none');
    expect(pki.command[0]).toContain('pki init --dir /pki --gateway default/gateway');
    expect(pki.volumes).toEqual(['gatehouse-pki:/pki']);
    expect(compose.services.envoy.volumes).toContain('gatehouse-pki:/etc/gatehouse/pki:ro');
    expect(compose.services.envoy.depends_on.pki).toEqual({ condition: 'service_completed_successfully' });
  });

  it('would fail the house rules with a gRPC service in plaintext or without its certificate (the check is live)', () => {
    const broken = structuredClone(compose);
    broken.services.authz.environment.GATEHOUSE_INSECURE_PLAINTEXT = 'true';
    delete broken.services.ratelimit.environment.TLS_KEY_FILE;
    broken.services.xds.environment.TLS_CERT_FILE = '/tmp/xds.crt';
    expect(checkComposeRules(broken, rules).map((i) => i.where)).toEqual([
      'services.xds.environment.TLS_CERT_FILE',
      'services.authz.environment.GATEHOUSE_INSECURE_PLAINTEXT',
      'services.ratelimit.environment',
    ]);
  });

  it('mounts files that exist', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      for (const volume of (service.volumes ?? []) as string[]) {
        const source = volume.split(':')[0] ?? '';
        if (source.startsWith('./')) expect(existsSync(join(repoRoot, source)), `${name}: ${source}`).toBe(true);
      }
    }
  });

  it('keeps Redis data on a named volume with the append-only file on', () => {
    expect(compose.services.redis.volumes).toContain('redis-data:/data');
    expect(compose.services.redis.command.join(' ')).toContain('--appendonly yes');
  });
});

describe('checkComposeRules', () => {
  const healthy = { healthcheck: { test: ['CMD', 'true'] }, networks: ['gatehouse'] };
  const base = (services: Record<string, unknown>): Compose => ({ services: services as Compose['services'], networks: { gatehouse: {} } });

  it('flags an admin port published on all interfaces and other ports of internal services', () => {
    const issues = checkComposeRules(
      base({ xds: { ...healthy, environment: { ADMIN_PORT: '19000' }, ports: ['19000:19000', '127.0.0.1:18000:18000'] } }),
      rules,
    );
    expect(issues.map((i) => i.where)).toEqual(['services.xds.ports[0]', 'services.xds.ports[0]', 'services.xds.ports[1]']);
  });

  it('flags depends_on without a healthcheck or without service_healthy, and services off the network', () => {
    const issues = checkComposeRules(
      base({ redis: { networks: ['other'] }, xds: { ...healthy, depends_on: { redis: { condition: 'service_started' } } } }),
      rules,
    );
    expect(issues.map((i) => i.message)).toEqual([
      'must join the "gatehouse" network',
      '"redis" has no healthcheck to wait for',
      'must wait with condition: service_healthy',
    ]);
  });

  it('keeps upstreams on the backends network alone, and everything but Envoy off it', () => {
    const issues = checkComposeRules(
      base({
        envoy: { networks: ['gatehouse', 'backends'] },
        'demo-upstream': { networks: ['gatehouse', 'backends'] },
        redis: { ...healthy, networks: ['gatehouse', 'backends'] },
      }),
      rules,
    );
    expect(issues.map((i) => `${i.where}: ${i.message}`)).toEqual([
      'services.demo-upstream.networks: an upstream joins the "backends" network only',
      'services.redis.networks: only envoy and upstreams may join "backends"',
    ]);
  });

  it('lets a service share another one\'s network namespace, and that one publish the guest\'s port on loopback', () => {
    const issues = checkComposeRules(
      base({
        authz: { ...healthy, environment: { ADMIN_PORT: '9002' }, ports: ['127.0.0.1:9002:9002', '127.0.0.1:3001:3001', '127.0.0.1:4000:4000'] },
        idp: { healthcheck: healthy.healthcheck, network_mode: 'service:authz' },
        lost: { healthcheck: healthy.healthcheck, network_mode: 'service:nobody' },
      }),
      rules,
    );
    expect(issues).toEqual([
      { where: 'services.authz.ports[2]', message: 'only the admin port (9002) may be published; 4000 is not it' },
      { where: 'services.lost.network_mode', message: 'shares the network of "nobody", which is not a service' },
    ]);
  });

  it('flags Dockerfiles that are missing, use another base image or run as root', () => {
    const files: Record<string, string> = {
      'a/Dockerfile': 'FROM node:22\nUSER node\n',
      'b/Dockerfile': 'FROM node:24-slim AS build\nUSER node\nFROM node:24-slim\nRUN true\n',
    };
    const issues = checkComposeRules(
      base({ a: { ...healthy, build: 'a' }, b: { ...healthy, build: { context: 'b' } }, c: { ...healthy, build: 'c' } }),
      { ...rules, readFile: (p) => files[p] },
    );
    expect(issues.map((i) => i.message)).toEqual([
      'a/Dockerfile: "FROM node:22" must use node:24-slim',
      'b/Dockerfile: the final stage sets no USER (it would run as root)',
      'c/Dockerfile does not exist',
    ]);
  });
});

describe('docker-compose.yml wiring', () => {
  const env = (name: string): Record<string, string> => compose.services[name].environment;

  it('tells xds where Envoy reaches authz, ratelimit and the certs HTTP-01 responder on the compose network', () => {
    expect(env('xds').AUTHZ_ADDRESS).toBe(`authz:${env('authz').GRPC_PORT}`);
    expect(env('xds').RATELIMIT_ADDRESS).toBe(`ratelimit:${env('ratelimit').GRPC_PORT}`);
    expect(env('xds').CERTS_HTTP01_ADDRESS).toBe(`certs:${env('certs').HTTP_PORT}`);
  });

  it('gives xds the key certs encrypts private keys with, and ratelimit the limits xds publishes', () => {
    expect(env('xds').CERTS_ENCRYPTION_KEY).toBe(env('certs').CERTS_ENCRYPTION_KEY);
    expect(env('ratelimit').RATELIMIT_REDIS_CONFIG).toBe('true');
  });

  it('runs Pebble and pebble-challtestsrv only in the "acme" profile, Prometheus and Grafana only in "observability"', () => {
    const profiles = Object.fromEntries(Object.entries(compose.services).map(([name, s]) => [name, s.profiles ?? []]));
    expect(profiles).toMatchObject({ pebble: ['acme'], challtestsrv: ['acme'], prometheus: ['observability'], grafana: ['observability'] });
    for (const name of [...gatehouseServices, 'envoy', 'redis', 'demo-upstream']) expect(profiles[name], name).toEqual([]);
    expect(compose.services.pebble.image).toMatch(/^ghcr\.io\/letsencrypt\/pebble:/);
    expect(compose.services.challtestsrv.image).toMatch(/^ghcr\.io\/letsencrypt\/pebble-challtestsrv:/);
  });
});

describe('the demo IdP', () => {
  it('is the issuer, client and redirect URI deploy/examples/oidc-app.yaml names, reachable as localhost from authz and the host', () => {
    const docs = parseAllDocuments(readFileSync(join(repoRoot, 'deploy/examples/oidc-app.yaml'), 'utf8')).map((d) => d.toJS() as any); // eslint-disable-line @typescript-eslint/no-explicit-any
    const oidc = docs.find((d) => d.kind === 'SecurityPolicy').spec.oidc;
    const secret = docs.find((d) => d.kind === 'Secret' && d.metadata.name === oidc.clientSecret.name);
    const idp = compose.services['demo-idp'];
    expect(idp.environment).toMatchObject({ ISSUER: oidc.provider.issuer, CLIENT_ID: oidc.clientID, CLIENT_SECRET: secret.stringData['client-secret'], REDIRECT_URIS: oidc.redirectURL });
    expect(idp.network_mode).toBe('service:authz');
    const port = new URL(oidc.provider.issuer).port;
    expect(idp.environment.PORT).toBe(port);
    expect(compose.services.authz.ports).toContain(`127.0.0.1:${port}:${port}`);
  });
});

describe('deploy/acme/compose.acme.yaml (the acme profile override)', () => {
  const override = parse(readFileSync(join(repoRoot, 'deploy/acme/compose.acme.yaml'), 'utf8')) as Compose;
  const pebbleConfig = JSON.parse(readFileSync(join(repoRoot, 'deploy/acme/pebble-config.json'), 'utf8')) as { pebble: Record<string, string | number> };
  const acmeGateway = parseAllDocuments(readFileSync(join(repoRoot, 'deploy/acme/gateway.yaml'), 'utf8'))
    .map((d) => d.toJS() as { kind: string; metadata: { name: string; annotations?: Record<string, string> }; spec: any }) // eslint-disable-line @typescript-eslint/no-explicit-any
    .find((d) => d.kind === 'Gateway')!;
  const issuer = parse(readFileSync(join(repoRoot, 'deploy/acme/cluster-issuer.yaml'), 'utf8')) as { metadata: { name: string }; spec: { acme: { server: string } } };
  const containerPath = (service: Compose['services'][string], hostPath: string): string | undefined => {
    for (const volume of (service.volumes ?? []) as string[]) {
      const [source, target] = volume.split(':');
      if (hostPath === source) return target;
      if (source && hostPath.startsWith(`${source}/`)) return `${target}${hostPath.slice(source.length)}`;
    }
    return undefined;
  };

  it('is valid against the Compose Specification schema and mounts files that exist', () => {
    const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false, validateSchema: false });
    const validate = ajv.compile(JSON.parse(readFileSync(composeSpecPath, 'utf8')) as object);
    validate(override);
    expect(validate.errors ?? []).toEqual([]);
    for (const service of Object.values(override.services)) {
      for (const volume of (service.volumes ?? []) as string[]) expect(existsSync(join(repoRoot, volume.split(':')[0]!)), volume).toBe(true);
    }
  });

  it('mounts the annotated Gateway over the example one, and the ClusterIssuer the annotation names for certs', () => {
    expect(containerPath(override.services.xds!, './deploy/acme/gateway.yaml')).toBe(`${compose.services.xds.environment.GATEWAY_CONFIG_PATH}/gateway.yaml`);
    expect(acmeGateway.metadata.annotations?.['cert-manager.io/cluster-issuer']).toBe(issuer.metadata.name);
    expect(override.services.certs!.environment.CERTS_CONFIG_PATH).toBe(containerPath(override.services.certs!, './deploy/acme/cluster-issuer.yaml'));
    expect(override.services.certs!.environment.ACME_CA_CERTS).toBe(containerPath(override.services.certs!, './deploy/acme/pebble-tls.pem'));
  });

  it('lets Pebble validate HTTP-01 against Envoy: the HTTPS hostname is an alias of Envoy and Pebble calls the HTTP listener port', () => {
    const https = acmeGateway.spec.listeners.find((l: { protocol: string }) => l.protocol === 'HTTPS');
    const http = acmeGateway.spec.listeners.find((l: { protocol: string }) => l.protocol === 'HTTP');
    expect(compose.services.envoy.networks.gatehouse.aliases).toContain(https.hostname);
    expect(pebbleConfig.pebble.httpPort).toBe(http.port);
  });

  it("points the ClusterIssuer at Pebble's directory, whose TLS files are mounted where its config names them", () => {
    const url = new URL(issuer.spec.acme.server);
    expect(url.hostname).toBe('pebble');
    expect(String(pebbleConfig.pebble.listenAddress)).toMatch(new RegExp(`:${url.port}$`));
    for (const key of ['certificate', 'privateKey']) {
      const file = String(pebbleConfig.pebble[key]).replace(/^\/etc\/pebble\//, './deploy/acme/');
      expect(containerPath(compose.services.pebble, file), key).toBe(pebbleConfig.pebble[key]);
      expect(existsSync(join(repoRoot, file)), file).toBe(true);
    }
  });
});
