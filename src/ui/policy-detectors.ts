/**
 * The detectors a policy defines itself (custom entities, `detectors.onnx`, `detectors.llm`)
 * next to the gateway's own, for the Detection page and the playground: which exist, which the
 * policy runs, what their settings are, and a policy with some of them switched off for one
 * playground run. Settings are shown without what could be sensitive: no API key (only whether
 * one is configured), the LLM endpoint's host but not its path, keyword lists and patterns
 * counted rather than listed (they may name customers), model folders by name.
 * @module
 */
import { basename } from 'node:path';
import type { Detector } from '../detect/detector.js';
import { selectDetectors } from '../policy/detectors.js';
import type { Policy } from '../policy/policy.js';

export interface DetectorListing {
  readonly id: string;
  readonly tier: Detector['tier'];
  readonly types: readonly string[];
  /** `gateway`: built into this gateway; `policy`: defined in the policy file. */
  readonly source: 'gateway' | 'policy';
  /** Whether the policy runs it (its tier is on and it is not in `detectors.disable`). */
  readonly enabled: boolean;
}

const ALL_TIERS = { rules: true, ner: true, llm: true, custom: true } as const;

/** `policy` with every detector in `off` switched off as if `detectors.disable` named it. */
export function withDetectorsOff(policy: Policy, off: Iterable<string>): Policy {
  const disable = new Set([...policy.detectors.disable, ...off]);
  return { ...policy, detectors: { ...policy.detectors, disable } };
}

/** The detectors the policy file defines, whether or not it switches them on. */
export function policyDefinedDetectors(policy: Policy): Detector[] {
  return selectDetectors({ ...policy, detectors: { ...policy.detectors, tiers: ALL_TIERS, disable: new Set() } }, []);
}

/** The gateway's detectors, then the policy's own, each once, with whether the policy runs it. */
export function listDetectors(policy: Policy, available: readonly Detector[]): DetectorListing[] {
  const active = new Set(selectDetectors(policy, available).map((detector) => detector.id));
  const own = new Set(available.map((detector) => detector.id));
  const listing = (detector: Detector, source: DetectorListing['source']): DetectorListing => ({
    id: detector.id,
    tier: detector.tier,
    types: [...detector.types],
    source,
    enabled: active.has(detector.id),
  });
  return [
    ...available.map((detector) => listing(detector, 'gateway')),
    ...policyDefinedDetectors(policy)
      .filter((detector) => !own.has(detector.id))
      .map((detector) => listing(detector, 'policy')),
  ];
}

function customKind(definition: Readonly<Record<string, unknown>>): { kind: string; size: number | null } {
  if (Array.isArray(definition['keywords'])) return { kind: 'keywords', size: definition['keywords'].length };
  if (typeof definition['ner_label'] === 'string') return { kind: `NER label ${definition['ner_label']}`, size: null };
  return { kind: 'pattern', size: null };
}

/** The settings of the policy's own detectors, as the Detection page lists them. */
export function policyDetectorSettings(policy: Policy): Record<string, unknown> {
  const { custom, onnx, llm } = policy.detectors;
  return {
    custom: custom.map((definition) => {
      const { kind, size } = customKind(definition);
      return {
        type: typeof definition['type'] === 'string' ? definition['type'] : 'custom',
        kind,
        ...(size === null ? {} : { keywords: size }),
        ...(typeof definition['validator'] === 'string' ? { validator: definition['validator'] } : {}),
        ...(typeof definition['score'] === 'number' ? { score: definition['score'] } : {}),
        context: definition['context'] !== undefined,
      };
    }),
    onnx: onnx.map((model) => ({
      id: `onnx.${model.id ?? basename(model.path)}`,
      folder: basename(model.path),
      labels: model.labels,
      minScore: model.min_score ?? null,
      thresholds: model.thresholds ?? {},
      maxLength: model.max_length ?? null,
      overlap: model.overlap ?? null,
      threads: model.threads ?? null,
    })),
    llm:
      llm === undefined
        ? null
        : {
            id: llm.id ?? 'llm',
            host: new URL(llm.url).host,
            model: llm.model,
            apiKey: llm.api_key_env === undefined ? 'none' : 'from the environment',
            types: llm.types ?? null,
            customTypes: llm.custom.map((item) => item.type),
            timeoutMs: llm.timeout_ms ?? null,
            chunkSize: llm.chunk_size ?? null,
            concurrency: llm.concurrency ?? null,
            minScore: llm.min_score ?? null,
            jsonMode: llm.json_mode ?? true,
          },
  };
}
