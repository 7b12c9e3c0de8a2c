// The house rules for docker-compose.yml beyond what the Compose schema checks: what may be published where,
// health-gated start order, one named network, images built as non-root from node:24-slim, and mutual TLS on
// every gRPC port (certificates from a read-only mount, never the plaintext switch).
import { posix } from 'node:path';

export interface ComposeRuleIssue {
  /** "services.xds.ports[0]" style location in docker-compose.yml. */
  readonly where: string;
  readonly message: string;
}

export interface ComposeRuleOptions {
  /** The only service allowed to publish ports on all interfaces. */
  publicService: string;
  /** The network every service must join. */
  network: string;
  /** The network upstreams live on: only they and `publicService` may join it, and they may join nothing else. */
  backendNetwork?: string;
  /** Services that are upstreams (demo backends). */
  backendServices?: readonly string[];
  /** Base image every stage of our Dockerfiles must use. */
  baseImage: string;
  /**
   * Ports a service may publish besides its admin port because a service sharing its network namespace
   * (`network_mode: service:<name>`) listens on them, e.g. `{ authz: ['3001'] }` for the demo IdP.
   */
  sharedNamespacePorts?: Readonly<Record<string, readonly string[]>>;
  /** Reads a file relative to the compose file's directory; undefined when it does not exist. */
  readFile(relativePath: string): string | undefined;
}

interface PortMapping {
  hostIp: string | undefined;
  published: string | undefined;
  target: string;
}

type ComposeService = Record<string, unknown> & {
  ports?: unknown[];
  depends_on?: string[] | Record<string, { condition?: string }>;
  healthcheck?: { test?: unknown; disable?: boolean };
  networks?: string[] | Record<string, unknown>;
  environment?: Record<string, unknown> | string[];
  build?: string | { context?: string; dockerfile?: string };
  network_mode?: string;
  volumes?: unknown[];
};

const TLS_FILES = ['TLS_CERT_FILE', 'TLS_KEY_FILE', 'TLS_CA_FILE'] as const;

export function checkComposeRules(compose: { services?: Record<string, ComposeService>; networks?: Record<string, unknown> }, options: ComposeRuleOptions): ComposeRuleIssue[] {
  const issues: ComposeRuleIssue[] = [];
  const services = compose.services ?? {};
  if (!compose.networks || !(options.network in compose.networks)) {
    issues.push({ where: 'networks', message: `the network "${options.network}" is not declared` });
  }
  for (const [name, service] of Object.entries(services)) {
    const at = `services.${name}`;
    const adminPort = environmentOf(service).ADMIN_PORT;

    (service.ports ?? []).forEach((raw, i) => {
      const port = parsePort(raw);
      const where = `${at}.ports[${i}]`;
      if (!port) return issues.push({ where, message: `cannot read port mapping ${JSON.stringify(raw)}` });
      if (port.published === undefined) return undefined; // not published on the host
      const loopback = port.hostIp === '127.0.0.1' || port.hostIp === '::1';
      if (name !== options.publicService && !loopback) {
        issues.push({ where, message: `only ${options.publicService} may publish on all interfaces; bind to 127.0.0.1` });
      }
      if (adminPort !== undefined && port.target === String(adminPort) && !loopback) {
        issues.push({ where, message: `the admin port ${adminPort} must be published on 127.0.0.1 only` });
      }
      const guestPort = (options.sharedNamespacePorts?.[name] ?? []).includes(port.target);
      if (name !== options.publicService && adminPort !== undefined && port.target !== String(adminPort) && !guestPort) {
        issues.push({ where, message: `only the admin port (${adminPort}) may be published; ${port.target} is not it` });
      }
      return undefined;
    });

    const dependsOn = service.depends_on ?? {};
    const targets = Array.isArray(dependsOn) ? dependsOn.map((d) => [d, {}] as const) : Object.entries(dependsOn);
    for (const [target, spec] of targets) {
      const where = `${at}.depends_on.${target}`;
      const dependency = services[target];
      const condition = (spec as { condition?: string }).condition;
      // A one-shot service (restart "no", e.g. the secrets generator) is waited for until it has finished.
      const oneShot = dependency?.restart === 'no';
      if (!dependency) issues.push({ where, message: `depends on "${target}", which is not a service` });
      else if (oneShot) {
        if (condition !== 'service_completed_successfully') issues.push({ where, message: `"${target}" runs once: wait with condition: service_completed_successfully` });
      } else if (!hasHealthcheck(dependency)) issues.push({ where, message: `"${target}" has no healthcheck to wait for` });
      if (!oneShot && condition !== 'service_healthy') {
        issues.push({ where, message: 'must wait with condition: service_healthy' });
      }
    }

    const networks = Array.isArray(service.networks) ? service.networks : Object.keys(service.networks ?? {});
    const host = /^service:(.+)$/.exec(String(service.network_mode ?? ''))?.[1];
    if (host !== undefined) {
      // It joins the network of the service whose namespace it shares: that one must be on ours.
      if (!services[host]) issues.push({ where: `${at}.network_mode`, message: `shares the network of "${host}", which is not a service` });
    } else if (service.network_mode === 'none') {
      // No network at all (the secrets generator): nothing to join.
    } else if (options.backendServices?.includes(name)) {
      if (networks.join() !== options.backendNetwork) issues.push({ where: `${at}.networks`, message: `an upstream joins the "${options.backendNetwork}" network only` });
    } else if (!networks.includes(options.network)) {
      issues.push({ where: `${at}.networks`, message: `must join the "${options.network}" network` });
    }
    if (options.backendNetwork && networks.includes(options.backendNetwork) && name !== options.publicService && !options.backendServices?.includes(name)) {
      issues.push({ where: `${at}.networks`, message: `only ${options.publicService} and upstreams may join "${options.backendNetwork}"` });
    }

    if (service.build !== undefined) issues.push(...checkDockerfile(at, service.build, options));
    issues.push(...checkMutualTls(at, service));
  }
  return issues;
}

/** A service with a GRPC_PORT serves gRPC: its certificate, key and CA are set, from a read-only mount. */
function checkMutualTls(at: string, service: ComposeService): ComposeRuleIssue[] {
  const env = environmentOf(service);
  const issues: ComposeRuleIssue[] = [];
  if ('GATEHOUSE_INSECURE_PLAINTEXT' in env) issues.push({ where: `${at}.environment.GATEHOUSE_INSECURE_PLAINTEXT`, message: 'plaintext gRPC is for local development only, never in a deploy file' });
  if (env.GRPC_PORT === undefined) return issues;
  const readOnlyTargets = (service.volumes ?? [])
    .map((v) => (typeof v === 'string' ? v.split(':') : []))
    .filter((parts) => parts.length === 3 && parts[2]!.split(',').includes('ro'))
    .map((parts) => parts[1]!);
  for (const name of TLS_FILES) {
    const path = env[name];
    if (typeof path !== 'string' || path === '') issues.push({ where: `${at}.environment`, message: `serves gRPC without ${name}: mutual TLS is on in every deploy file` });
    else if (!readOnlyTargets.some((target) => path.startsWith(`${target}/`))) issues.push({ where: `${at}.environment.${name}`, message: `${path} is not on a read-only mount` });
  }
  return issues;
}

function checkDockerfile(at: string, build: NonNullable<ComposeService['build']>, options: ComposeRuleOptions): ComposeRuleIssue[] {
  const context = typeof build === 'string' ? build : (build.context ?? '.');
  const dockerfile = posix.join(context, typeof build === 'string' ? 'Dockerfile' : (build.dockerfile ?? 'Dockerfile'));
  const where = `${at}.build`;
  const text = options.readFile(dockerfile);
  if (text === undefined) return [{ where, message: `${dockerfile} does not exist` }];
  const issues: ComposeRuleIssue[] = [];
  const instructions = text
    .replace(/\\\r?\n/g, ' ')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
  const froms = instructions.filter((line) => /^FROM\s/i.test(line));
  if (froms.length === 0) issues.push({ where, message: `${dockerfile} has no FROM` });
  for (const from of froms) {
    const image = from.split(/\s+/)[1];
    if (image !== options.baseImage) issues.push({ where, message: `${dockerfile}: "${from}" must use ${options.baseImage}` });
  }
  const finalStage = instructions.slice(instructions.lastIndexOf(froms.at(-1) ?? ''));
  const user = finalStage.filter((line) => /^USER\s/i.test(line)).at(-1)?.split(/\s+/)[1];
  if (!user) issues.push({ where, message: `${dockerfile}: the final stage sets no USER (it would run as root)` });
  else if (/^(root|0)(:|$)/.test(user)) issues.push({ where, message: `${dockerfile}: USER ${user} is root` });
  return issues;
}

function hasHealthcheck(service: ComposeService): boolean {
  return service.healthcheck !== undefined && service.healthcheck.disable !== true && service.healthcheck.test !== undefined;
}

function environmentOf(service: ComposeService): Record<string, unknown> {
  const env = service.environment;
  if (!Array.isArray(env)) return env ?? {};
  return Object.fromEntries(env.map((entry) => [entry.split('=')[0], entry.split('=').slice(1).join('=')]));
}

/** Short syntax "[host_ip:][published:]target[/proto]" or the long syntax object. */
function parsePort(raw: unknown): PortMapping | undefined {
  if (typeof raw === 'object' && raw !== null) {
    const long = raw as { host_ip?: string; published?: string | number; target?: number };
    if (long.target === undefined) return undefined;
    return { hostIp: long.host_ip, published: long.published === undefined ? undefined : String(long.published), target: String(long.target) };
  }
  if (typeof raw !== 'string' && typeof raw !== 'number') return undefined;
  const text = String(raw).replace(/\/(tcp|udp)$/, '');
  const ipv6 = /^\[([^\]]+)\]:(.*)$/.exec(text);
  const [hostIp, rest] = ipv6 ? [ipv6[1], ipv6[2] ?? ''] : [undefined, text];
  const parts = rest.split(':');
  if (parts.length === 1) return { hostIp, published: undefined, target: parts[0] ?? '' };
  if (parts.length === 2) return { hostIp, published: parts[0], target: parts[1] ?? '' };
  if (parts.length === 3 && !ipv6) return { hostIp: parts[0], published: parts[1], target: parts[2] ?? '' };
  return undefined;
}
