/**
 * The `detectors` section applied to a set of available detectors: tiers and single detectors
 * switched off, a global minimum score, per-type thresholds, allow lists, bring-your-own ONNX
 * models (tier "ner") and the opt-in LLM detector (tier "llm"). Custom entities are
 * built here by the custom-entity module from `policy.detectors.custom` (regex, keyword and NER
 * label definitions) and join the available ones.
 * @module
 */
import { VeilError, VeilErrorCode } from '../core/errors.js';
import type { Detector } from '../detect/detector.js';
import { DetectionEngine, type DetectionEngineOptions } from '../detect/engine.js';
import type { AllowList } from '../detect/merge.js';
import { builtinDetectors } from '../detect/registry.js';
import { createCustomDetectors, type CustomEntityDefinition } from '../detect/custom/custom-detector.js';
import { LlmDetector, type LlmDetectorOptions } from '../detect/llm/llm-detector.js';
import type { OnnxDetectorOptions } from '../detect/onnx/onnx-detector.js';
import { sharedOnnxDetector } from '../detect/onnx/shared.js';
import type { Policy } from './policy.js';
import type { LlmDetectorDocument, OnnxModelDocument } from './schema.js';

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

/** A policy `detectors.onnx` entry in the ONNX detector's own terms. */
export function onnxDetectorOptions(model: OnnxModelDocument): OnnxDetectorOptions {
  return {
    path: model.path,
    labels: model.labels,
    ...(model.id === undefined ? {} : { id: model.id }),
    ...(model.min_score === undefined ? {} : { minScore: model.min_score }),
    ...(model.thresholds === undefined ? {} : { thresholds: model.thresholds }),
    ...(model.max_length === undefined ? {} : { maxLength: model.max_length }),
    ...(model.overlap === undefined ? {} : { overlap: model.overlap }),
    ...(model.threads === undefined ? {} : { threads: model.threads }),
  };
}

/**
 * The policy's `detectors.llm` in the LLM detector's own terms. The key is read from the
 * variable `api_key_env` names, now; it goes only into the Authorization header.
 */
export function llmDetectorOptions(llm: LlmDetectorDocument, env: Readonly<Record<string, string | undefined>> = process.env): LlmDetectorOptions {
  const apiKey = llm.api_key_env === undefined ? undefined : env[llm.api_key_env];
  return {
    baseUrl: llm.url,
    model: llm.model,
    customTypes: llm.custom,
    ...(llm.id === undefined ? {} : { id: llm.id }),
    ...(apiKey === undefined || apiKey === '' ? {} : { apiKey }),
    ...(llm.types === undefined ? {} : { types: llm.types }),
    ...(llm.timeout_ms === undefined ? {} : { timeoutMs: llm.timeout_ms }),
    ...(llm.chunk_size === undefined ? {} : { chunkSize: llm.chunk_size }),
    ...(llm.chunk_overlap === undefined ? {} : { chunkOverlap: llm.chunk_overlap }),
    ...(llm.concurrency === undefined ? {} : { concurrency: llm.concurrency }),
    ...(llm.score === undefined ? {} : { score: llm.score }),
    ...(llm.min_score === undefined ? {} : { minScore: llm.min_score }),
    ...(llm.json_mode === undefined ? {} : { jsonMode: llm.json_mode }),
  };
}

/** One LLM detector per policy version, so engines and views of that version share its answer cache. */
const llmDetectors = new WeakMap<LlmDetectorDocument, LlmDetector>();

function llmDetector(policy: Policy): LlmDetector | undefined {
  const llm = policy.detectors.llm;
  if (llm === undefined) return undefined;
  let detector = llmDetectors.get(llm);
  if (detector === undefined) {
    // The schema checked url and model when the file was read, so this does not throw.
    detector = new LlmDetector(llmDetectorOptions(llm));
    llmDetectors.set(llm, detector);
  }
  return detector;
}

/** The policy's ONNX detectors (read when the policy was loaded, so this does not throw). */
function onnxDetectors(policy: Policy): Detector[] {
  return policy.detectors.onnx.map((model) => sharedOnnxDetector(onnxDetectorOptions(model)));
}

/**
 * Loads the models of the policy's ONNX detectors, so that a model onnxruntime cannot run
 * stops the start rather than the first request, and checks that the LLM detector's key is in
 * the environment. Throws `OnnxModelError` or `VeilError(Config)`; contacts no LLM.
 */
export async function prepareDetectors(policy: Policy, env: Readonly<Record<string, string | undefined>> = process.env): Promise<void> {
  const keyEnv = policy.detectors.llm?.api_key_env;
  // A missing key would turn every request's LLM call into an HTTP 401 fallback: say so at start.
  if (keyEnv !== undefined && (env[keyEnv] ?? '') === '') {
    throw new VeilError(VeilErrorCode.Config, `detectors.llm.api_key_env: environment variable ${keyEnv} is not set`);
  }
  await Promise.all(policy.detectors.onnx.map((model) => sharedOnnxDetector(onnxDetectorOptions(model)).ready()));
}

/** The detectors the policy leaves switched on (thresholds apply in the engine). */
export function selectDetectors(policy: Policy, available: readonly Detector[]): Detector[] {
  const { tiers, disable, custom } = policy.detectors;
  // Definitions were validated when the policy was loaded, so this does not throw.
  const customDetectors = createCustomDetectors({ entities: customEntityDefinitions(custom) });
  const all = [...available, ...onnxDetectors(policy)];
  if (customDetectors.detector !== undefined) all.push(customDetectors.detector);
  const llm = llmDetector(policy);
  if (llm !== undefined) all.push(llm);
  return all
    .filter((detector) => tiers[detector.tier] && !disable.has(detector.id))
    .map((detector) => (detector.tier === 'ner' ? customDetectors.mapLabels(detector) : detector));
}

export function allowListOf(policy: Policy): AllowList {
  return { values: policy.detectors.allow.values, patterns: policy.detectors.allow.patterns };
}

/**
 * A detection engine configured by the policy. `available` defaults to the built-in rule
 * detectors; callers add NER, LLM and custom-entity detectors to it when they have them.
 */
export function buildDetectionEngine(
  policy: Policy,
  available: readonly Detector[] = builtinDetectors(),
  options: Pick<DetectionEngineOptions, 'cache'> = {},
): DetectionEngine {
  const detectors = selectDetectors(policy, available);
  // The engine's cache would keep a fallback result (T1 + T2 only) after an LLM failure and
  // serve it without asking again; the LLM detector caches its own successful answers instead.
  const llmOn = detectors.some((detector) => detector.tier === 'llm');
  return new DetectionEngine({
    ...options,
    ...(llmOn ? { cache: false } : {}),
    detectors,
    allow: allowListOf(policy),
    minScore: policy.detectors.minScore,
    thresholds: policy.detectors.thresholds,
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
