// SecurityPolicy fields Gatehouse translates for some values only: the others are Accepted=False
// naming the field and why (the authz service refuses the same values when it compiles the policy).

export function refusedValues(spec: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const oidc = spec.oidc as { disableTokenEncryption?: unknown } | undefined;
  if (oidc?.disableTokenEncryption === true) {
    problems.push(
      'spec.oidc.disableTokenEncryption: true is not supported: Gatehouse keeps tokens server-side, sealed in Redis, and never in cookies; give the upstream the tokens with forwardAccessToken / forwardIDToken',
    );
  }
  return problems;
}
