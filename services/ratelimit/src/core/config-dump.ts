// Text dump of the loaded config for GET /rlconfig, one line per rule like the reference's dump,
// plus where each domain came from.
import type { DescriptorConfig } from './config-types.js';
import type { RateLimitConfig } from './rate-limit-config.js';

export function dumpConfig(config: RateLimitConfig): string {
  const lines: string[] = [];
  const domains = [...config.domains].sort((a, b) => a.domain.localeCompare(b.domain));
  for (const domain of domains) {
    lines.push(`# domain ${domain.domain} from ${domain.source}`);
    const walk = (descriptors: readonly DescriptorConfig[]): void => {
      for (const d of descriptors) {
        const r = d.rule;
        if (r) {
          const unit = r.unlimited ? 'unlimited' : `unit=${r.unit?.toUpperCase()}${r.unitMultiplier > 1 ? `x${r.unitMultiplier}` : ''}`;
          lines.push(
            `${d.path}: ${unit} requests_per_unit=${r.requestsPerUnit}, shadow_mode: ${r.shadowMode}` +
              (r.algorithm === 'fixed_window' ? '' : `, algorithm: ${r.algorithm}${r.algorithm === 'gcra' ? ` burst=${r.burst}` : ''}`) +
              (r.name ? `, name: ${r.name}` : '') +
              (r.replaces.length > 0 ? `, replaces: ${r.replaces.join(',')}` : ''),
          );
        }
        walk(d.children);
      }
    };
    walk(domain.descriptors);
  }
  return `${lines.join('\n')}\n`;
}
