// Envoy's virtual host lookup and the port in ":authority" (RouteConfiguration.ignore_port_in_host_matching).
import { describe, expect, it } from 'vitest';
import { selectVirtualHost } from './route-matching.js';
import type { RouteConfiguration } from './types.js';

const config = (ignorePort: boolean): RouteConfiguration => ({
  name: 'rc',
  ...(ignorePort && { ignore_port_in_host_matching: true }),
  virtual_hosts: [
    { name: 'app', domains: ['app.example.com'], routes: [] },
    { name: 'wild', domains: ['*.example.com'], routes: [] },
    { name: 'any', domains: ['*'], routes: [] },
  ],
});

describe('host matching with a port in :authority', () => {
  it('matches the port literally by default, as Envoy does (app.example.com:8443 is not app.example.com)', () => {
    expect(selectVirtualHost(config(false), 'app.example.com:8443')?.name).toBe('any');
    expect(selectVirtualHost(config(false), 'www.example.com:8080')?.name).toBe('any');
    expect(selectVirtualHost(config(false), 'app.example.com')?.name).toBe('app');
  });

  it('ignores the port when the route configuration says so', () => {
    expect(selectVirtualHost(config(true), 'app.example.com:8443')?.name).toBe('app');
    expect(selectVirtualHost(config(true), 'www.example.com:8080')?.name).toBe('wild');
  });
});
