import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { composeSpecPath } from '@gatehouse/schemas';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { repoRoot } from '../service.js';
import { checkComposeRules, type ComposeRuleOptions } from './compose-rules.js';

type Compose = { services: Record<string, any>; networks?: Record<string, unknown> }; // eslint-disable-line @typescript-eslint/no-explicit-any

const composeText = readFileSync(join(repoRoot, 'docker-compose.yml'), 'utf8');
// merge: the file shares settings through YAML anchors and "<<" merge keys, as docker compose does.
const compose = parse(composeText, { merge: true }) as Compose;
const rules: ComposeRuleOptions = {
  publicService: 'envoy',
  network: 'gatehouse',
  baseImage: 'node:24-slim',
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

  it('follows the house rules (loopback admin ports, health-gated start, one network, non-root node:24-slim images)', () => {
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
    expect(service.depends_on).toEqual({ redis: { condition: 'service_healthy' } });
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
