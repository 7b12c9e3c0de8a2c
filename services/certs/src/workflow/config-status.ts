// GET /status of the certs admin API: per resource of CERTS_CONFIG_PATH, which generation serves and
// why a newer one was refused, in the house's issue format (authz and ratelimit answer the same way).
import { formatConfigIssue } from '@gatehouse/schemas';
import type { ConfigIntake } from './config-intake.js';

export interface CertsConfigStatus {
  readonly serving: ReadonlyArray<{ key: string; generation: number; servingGeneration: number }>;
  readonly stale: ReadonlyArray<{ key: string; generation: number; servingGeneration: number; problems: string[] }>;
  readonly refused: ReadonlyArray<{ key: string; generation: number; problems: string[] }>;
}

export function configStatus(intake: ConfigIntake): CertsConfigStatus {
  const current = intake.lastGood.current;
  return {
    serving: (current?.serving ?? []).map((e) => ({ key: e.key, generation: e.generation, servingGeneration: e.servingGeneration })),
    stale: (current?.stale ?? []).map((e) => ({ key: e.key, generation: e.generation, servingGeneration: e.servingGeneration, problems: e.issues.map(formatConfigIssue) })),
    refused: (current?.refused ?? []).map((r) => ({ key: r.key, generation: r.generation, problems: r.issues.map(formatConfigIssue) })),
  };
}
