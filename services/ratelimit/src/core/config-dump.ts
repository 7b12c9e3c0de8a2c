// Text dump of the loaded config for GET /rlconfig, one line per rule like the reference's dump,
// plus where each domain came from, and which domains serve an older version or are refused.
import { formatConfigIssue } from '../errors.js';
import { parseStateKey, type ConfigHealth } from './config-state.js';
import type { DescriptorConfig } from './config-types.js';
import type { RateLimitConfig } from './rate-limit-config.js';

export function dumpConfig(config: RateLimitConfig, health?: ConfigHealth): string {
  const lines: string[] = [...healthLines(health)];
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

/** Comment lines: a stale domain says which generation serves and why the newest was refused. */
function healthLines(health: ConfigHealth | undefined): string[] {
  const lines: string[] = [];
  for (const e of health?.stale ?? []) {
    const { source, domain } = parseStateKey(e.key);
    lines.push(`# STALE domain ${domain} (${source}): serving generation ${e.servingGeneration}, generation ${e.generation} refused:`);
    for (const issue of e.issues) lines.push(`#   ${formatConfigIssue(issue)}`);
  }
  for (const r of health?.refused ?? []) {
    const { source, domain } = parseStateKey(r.key);
    lines.push(`# REFUSED domain ${domain} (${source}): never valid, not served:`);
    for (const issue of r.issues) lines.push(`#   ${formatConfigIssue(issue)}`);
  }
  for (const issue of health?.unreadable ?? []) lines.push(`# UNREADABLE ${formatConfigIssue(issue)}`);
  return lines;
}
