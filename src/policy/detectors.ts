/**
 * The `detectors` section applied to a set of available detectors: tiers and single detectors
 * switched off, a global minimum score, per-type thresholds and allow lists. Custom entities are
 * built here by the custom-entity module from `policy.detectors.custom` (regex, keyword and NER
 * label definitions) and join the available ones.
 * @module
 */
import type { Span } from '../core/span.js';
import type { Detector } from '../detect/detector.js';
import { DetectionEngine } from '../detect/engine.js';
import type { AllowList } from '../detect/merge.js';
import { builtinDetectors } from '../detect/registry.js';
import { createCustomDetectors, type CustomEntityDefinition } from '../detect/custom/custom-detector.js';
import type { Policy } from './policy.js';

/** `ner_label: PERSON` → `nerLabel: PERSON`: veil.yaml is snake_case, the detector module camelCase. */
function camelKeys(value: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) out[key.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase())] = item;
  return out;
}

/** Custom entity definitions from the policy, in the custom-entity module's form. */
export function customEntityDefinitions(custom: readonly Readonly<Record<string, unknown>>[]): CustomEntityDefinition[] {
  return custom.map((definition) => camelKeys(definition) as unknown as CustomEntityDefinition);
}

/** Wraps a detector so that spans under their type's threshold count as not found. */
function withThresholds(detector: Detector, thresholds: Readonly<Record<string, number>>): Detector {
  const relevant = detector.types.some((type) => thresholds[type] !== undefined);
  // Detectors that do not declare a thresholded type are still wrapped when they may emit any type.
  if (!relevant && detector.types.length > 0) return detector;
  const keep = (spans: readonly Span[]): Span[] => spans.filter((span) => span.score >= (thresholds[span.type] ?? 0));
  return {
    id: detector.id,
    tier: detector.tier,
    types: detector.types,
    detect(text, context) {
      const spans = detector.detect(text, context);
      return spans instanceof Promise ? spans.then(keep) : keep(spans);
    },
  };
}

/** The detectors the policy leaves switched on, with thresholds applied. */
export function selectDetectors(policy: Policy, available: readonly Detector[]): Detector[] {
  const { tiers, disable, thresholds, custom } = policy.detectors;
  const hasThresholds = Object.keys(thresholds).length > 0;
  // Definitions were validated when the policy was loaded, so this does not throw.
  const customDetectors = createCustomDetectors({ entities: customEntityDefinitions(custom) });
  const all = [...available];
  if (customDetectors.detector !== undefined) all.push(customDetectors.detector);
  return all
    .filter((detector) => tiers[detector.tier] && !disable.has(detector.id))
    .map((detector) => (detector.tier === 'ner' ? customDetectors.mapLabels(detector) : detector))
    .map((detector) => (hasThresholds ? withThresholds(detector, thresholds) : detector));
}

export function allowListOf(policy: Policy): AllowList {
  return { values: policy.detectors.allow.values, patterns: policy.detectors.allow.patterns };
}

/**
 * A detection engine configured by the policy. `available` defaults to the built-in rule
 * detectors; callers add NER, LLM and custom-entity detectors to it when they have them.
 */
export function buildDetectionEngine(policy: Policy, available: readonly Detector[] = builtinDetectors()): DetectionEngine {
  return new DetectionEngine({
    detectors: selectDetectors(policy, available),
    allow: allowListOf(policy),
    minScore: policy.detectors.minScore,
  });
}

const engines = new WeakMap<Policy, WeakMap<readonly Detector[], DetectionEngine>>();

/**
 * `buildDetectionEngine`, cached per policy version and detector list: a reload builds one new
 * engine, requests in between share it.
 */
export function detectionEngineFor(policy: Policy, available: readonly Detector[]): DetectionEngine {
  let perPolicy = engines.get(policy);
  if (perPolicy === undefined) {
    perPolicy = new WeakMap();
    engines.set(policy, perPolicy);
  }
  let engine = perPolicy.get(available);
  if (engine === undefined) {
    engine = buildDetectionEngine(policy, available);
    perPolicy.set(available, engine);
  }
  return engine;
}
