// Hostname intersection between a listener and a route, as the Gateway API specifies it.

/** True when `pattern` equals `name` or, being a wildcard ("*.example.com"), covers it. */
export function covers(pattern: string, name: string): boolean {
  if (pattern === name || pattern === '*') return true;
  if (!pattern.startsWith('*.')) return false;
  const suffix = pattern.slice(1); // ".example.com"
  const bare = name.startsWith('*.') ? name.slice(2) : name;
  return bare.endsWith(suffix) && bare.length > suffix.length;
}

/**
 * The hostnames a route serves on a listener: where a route hostname and the listener hostname
 * match, the more specific of the two. Empty when they do not intersect; "*" when neither restricts.
 */
export function intersectHostnames(listenerHostname: string | undefined, routeHostnames: readonly string[]): string[] {
  if (!listenerHostname) return routeHostnames.length === 0 ? ['*'] : [...new Set(routeHostnames)];
  if (routeHostnames.length === 0) return [listenerHostname];
  const result = new Set<string>();
  for (const hostname of routeHostnames) {
    if (covers(listenerHostname, hostname)) result.add(hostname);
    else if (covers(hostname, listenerHostname)) result.add(listenerHostname);
  }
  return [...result];
}
