// Reading a decision for display: its sentence, and the rule of the policy the sentence comes from.

/** The rule id the decision's reason comes from: the deciding policy's, or for a deny with no
 * policy, the closest requirement's. */
export function ruleOf(decision) {
  if (decision.type !== 'success') return null;
  const source = decision.cause === 'notPermitted' ? decision.requirements?.[0] : decision.policies?.[0];
  return source?.rule ?? null;
}

export function reasonOf(decision) {
  if (decision.type === 'success') return decision.reason ?? '';
  if (decision.type === 'loading') return 'Loading';
  return (decision.errors ?? []).map((e) => e.message).join('; ');
}
