/**
 * The engine as an eval `Masker`: every record gets its own in-memory scope (no session, no
 * vault), exactly like a one-off gateway request.
 * @module
 */
import { createDefaultEngine } from '../detect/registry.js';
import { Veil } from '../engine.js';
import type { MaskResult } from '../pipeline/mask.js';
import type { TokenScope } from '../vault/token-scope.js';
import type { Masker } from './evaluate.js';
import type { RecordPrediction } from './scoring.js';

// Detection caching is off: latency figures must be those of text seen for the first time.
export function veilMasker(veil: Veil = new Veil({ engine: createDefaultEngine({ cache: false }) })): Masker {
  return (text) => {
    const scope = veil.openScope();
    if (scope instanceof Promise) return scope.then((resolved) => maskWith(veil, resolved, text));
    return maskWith(veil, scope, text);
  };
}

function maskWith(veil: Veil, scope: TokenScope, text: string): RecordPrediction | Promise<RecordPrediction> {
  const result = veil.mask([text], { scope });
  return result instanceof Promise ? result.then((resolved) => toPrediction(resolved, text)) : toPrediction(result, text);
}

function toPrediction(result: MaskResult, text: string): RecordPrediction {
  return {
    masked: result.texts[0] ?? text,
    spans: result.entities.map((entity) => ({ start: entity.start, end: entity.end, type: entity.type })),
  };
}
