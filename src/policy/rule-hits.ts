/**
 * How often each rule of a policy version decided a span since the gateway started: the policy
 * page of the console shows it next to the rules. Counts are per policy object, so a reload
 * starts the new version at zero and the old version's counts go with it.
 * @module
 */
import type { PolicyDecideFn } from './rules.js';
import type { Policy } from './policy.js';

export class RuleHits {
  private readonly counts = new WeakMap<Policy, Map<string, number>>();
  /** One counting wrapper per decide function (those are cached per policy and context). */
  private readonly wrappers = new WeakMap<PolicyDecideFn, PolicyDecideFn>();

  /** A decide function that counts each decision of `decide` under `policy`. */
  counting(policy: Policy, decide: PolicyDecideFn): PolicyDecideFn {
    const known = this.wrappers.get(decide);
    if (known !== undefined) return known;
    let counts = this.counts.get(policy);
    if (counts === undefined) {
      counts = new Map();
      this.counts.set(policy, counts);
    }
    const perRule = counts;
    const counted: PolicyDecideFn = (span, textIndex) => {
      const decision = decide(span, textIndex);
      perRule.set(decision.rule, (perRule.get(decision.rule) ?? 0) + 1);
      return decision;
    };
    this.wrappers.set(decide, counted);
    return counted;
  }

  /** Spans decided per rule id under `policy` (rules that never decided are absent). */
  of(policy: Policy): ReadonlyMap<string, number> {
    return this.counts.get(policy) ?? new Map();
  }
}
