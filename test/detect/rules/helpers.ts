import type { Detector } from '../../../src/detect/detector.js';

/** The values a detector finds in `text`, as `TYPE:value` strings in order. */
export function found(detector: Detector, text: string): string[] {
  const spans = detector.detect(text, {});
  if (!Array.isArray(spans)) throw new Error('rule detectors are synchronous');
  return spans.map((span) => `${span.type}:${text.slice(span.start, span.end)}`);
}

/** Just the values, for detectors with a single type. */
export function values(detector: Detector, text: string): string[] {
  return found(detector, text).map((entry) => entry.slice(entry.indexOf(':') + 1));
}
