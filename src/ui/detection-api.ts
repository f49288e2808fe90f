/**
 * `GET /ui/api/detection`: every detector (the gateway's and those the policy defines: custom
 * entities, ONNX models, the LLM detector) with the policy's detector settings, and the figures
 * of the latest `veil eval` (which writes them to `<dataDir>/eval/latest.json`). Allow-list
 * values are counted, not shown: an allow list may name people or customers.
 * @module
 */
import { join } from 'node:path';
import type { Detector } from '../detect/detector.js';
import type { Policy } from '../policy/policy.js';
import { EVAL_LATEST, readLatestEval } from './latest-eval.js';
import { listDetectors, policyDetectorSettings } from './policy-detectors.js';

export async function describeDetection(policy: Policy, detectors: readonly Detector[], dataDir: string | undefined): Promise<Record<string, unknown>> {
  const settings = policy.detectors;
  return {
    detectors: listDetectors(policy, detectors),
    settings: {
      tiers: settings.tiers,
      disabled: [...settings.disable],
      minScore: settings.minScore,
      thresholds: settings.thresholds,
      allow: { values: settings.allow.values.length, patterns: settings.allow.patterns.length },
      ...policyDetectorSettings(policy),
    },
    evaluation: (await readLatestEval(dataDir)) ?? null,
    evalPath: dataDir === undefined ? null : join(dataDir, EVAL_LATEST),
  };
}
