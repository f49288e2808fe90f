/**
 * `GET /ui/api/detection`: the detectors and the policy's detector settings, and the figures of
 * the latest `veil eval` (which writes them to `<dataDir>/eval/latest.json`). Allow-list values
 * are counted, not shown: an allow list may name people or customers.
 * @module
 */
import { join } from 'node:path';
import type { Detector } from '../detect/detector.js';
import { selectDetectors } from '../policy/detectors.js';
import type { Policy } from '../policy/policy.js';
import { EVAL_LATEST, readLatestEval } from './latest-eval.js';


export async function describeDetection(policy: Policy, detectors: readonly Detector[], dataDir: string | undefined): Promise<Record<string, unknown>> {
  const active = new Set(selectDetectors(policy, detectors).map((detector) => detector.id));
  const settings = policy.detectors;
  return {
    detectors: detectors.map((detector) => ({ id: detector.id, tier: detector.tier, types: detector.types, enabled: active.has(detector.id) })),
    settings: {
      tiers: settings.tiers,
      disabled: [...settings.disable],
      minScore: settings.minScore,
      thresholds: settings.thresholds,
      allow: { values: settings.allow.values.length, patterns: settings.allow.patterns.length },
      custom: settings.custom.map((definition) => (typeof definition['type'] === 'string' ? definition['type'] : 'custom')),
    },
    evaluation: (await readLatestEval(dataDir)) ?? null,
    evalPath: dataDir === undefined ? null : join(dataDir, EVAL_LATEST),
  };
}
