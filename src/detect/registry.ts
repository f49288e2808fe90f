/**
 * The built-in detectors and the default engine. A new detector is added by implementing
 * `Detector` and listing it here, nothing else.
 * @module
 */
import type { Detector } from './detector.js';
import { DetectionEngine, type DetectionEngineOptions } from './engine.js';

/** Every built-in rule detector (tier T1), in a stable order. */
export function builtinDetectors(): Detector[] {
  return [];
}

export function createDefaultEngine(options: Partial<DetectionEngineOptions> = {}): DetectionEngine {
  return new DetectionEngine({ ...options, detectors: options.detectors ?? builtinDetectors() });
}
