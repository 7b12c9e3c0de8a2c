// Parses REDIS_URL into a connection plan. Supported forms:
//   redis://[[user]:password@]host[:port][/db]            standalone
//   rediss://...                                          standalone over TLS
//   redis+sentinel://[[user]:password@]h1:26379,h2:26379/<master-name>[/db]
//   redis+cluster://[[user]:password@]h1:6379,h2:6379     cluster (seed nodes)
//   (rediss+sentinel:// and rediss+cluster:// add TLS)
import { ConfigError } from '../config/config-error.js';

export interface RedisHostPort {
  host: string;
  port: number;
}

export type RedisPlan =
  | { mode: 'standalone'; host: string; port: number; db: number; tls: boolean; username?: string; password?: string }
  | { mode: 'sentinel'; sentinels: RedisHostPort[]; masterName: string; db: number; tls: boolean; username?: string; password?: string }
  | { mode: 'cluster'; nodes: RedisHostPort[]; tls: boolean; username?: string; password?: string };

const SCHEME = /^(rediss?)(\+(sentinel|cluster))?:\/\/(.*)$/;

export function parseRedisUrl(value: string, variable = 'REDIS_URL'): RedisPlan {
  const match = SCHEME.exec(value);
  if (!match) {
    throw new ConfigError(variable, `"${value}" must start with redis://, rediss://, redis+sentinel:// or redis+cluster://`);
  }
  const tls = match[1] === 'rediss';
  const mode = (match[3] ?? 'standalone') as RedisPlan['mode'];
  let rest = match[4] ?? '';
  let username: string | undefined;
  let password: string | undefined;
  const at = rest.lastIndexOf('@');
  if (at >= 0) {
    const auth = rest.slice(0, at);
    rest = rest.slice(at + 1);
    const colon = auth.indexOf(':');
    username = decodeURIComponent(colon >= 0 ? auth.slice(0, colon) : '') || undefined;
    password = decodeURIComponent(colon >= 0 ? auth.slice(colon + 1) : auth) || undefined;
  }
  const [hostList = '', ...pathParts] = rest.split('/');
  const hosts = hostList.split(',').filter(Boolean).map((h) => parseHostPort(h, mode === 'sentinel' ? 26379 : 6379, variable));
  if (hosts.length === 0) throw new ConfigError(variable, 'names no host');
  const auth = { ...(username ? { username } : {}), ...(password ? { password } : {}) };
  const parseDb = (raw: string | undefined): number => {
    if (raw === undefined || raw === '') return 0;
    if (!/^\d+$/.test(raw)) throw new ConfigError(variable, `database "${raw}" is not a number`);
    return Number(raw);
  };
  switch (mode) {
    case 'standalone': {
      if (hosts.length > 1) throw new ConfigError(variable, 'a standalone URL names one host; use redis+cluster:// or redis+sentinel://');
      return { mode, host: hosts[0]!.host, port: hosts[0]!.port, db: parseDb(pathParts[0]), tls, ...auth };
    }
    case 'sentinel': {
      const masterName = pathParts[0];
      if (!masterName) throw new ConfigError(variable, 'a sentinel URL needs the master name as its path: redis+sentinel://h1,h2/mymaster');
      return { mode, sentinels: hosts, masterName, db: parseDb(pathParts[1]), tls, ...auth };
    }
    case 'cluster':
      return { mode, nodes: hosts, tls, ...auth };
  }
}

function parseHostPort(text: string, defaultPort: number, variable: string): RedisHostPort {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
  const [host, portText] = bracketed ? [bracketed[1]!, bracketed[2]] : (text.split(':') as [string, string | undefined]);
  const port = portText === undefined || portText === '' ? defaultPort : Number(portText);
  if (!host || !Number.isInteger(port) || port < 1 || port > 65535) throw new ConfigError(variable, `"${text}" is not host[:port]`);
  return { host, port };
}

/** Safe to log: the password is masked. */
export function describeRedisPlan(plan: RedisPlan): string {
  const hosts = plan.mode === 'standalone' ? [plan] : plan.mode === 'sentinel' ? plan.sentinels : plan.nodes;
  return `${plan.mode}${plan.tls ? '+tls' : ''} ${hosts.map((h) => `${h.host}:${h.port}`).join(',')}`;
}
