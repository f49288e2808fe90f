/**
 * One detector per model configuration for the whole process. A policy is read (and checked)
 * before its engine is built, and read again on every reload; both must find the same loaded
 * model rather than load it again. A changed file on disk makes a new entry.
 * @module
 */
import { resolve } from 'node:path';
import { folderStamp } from './model-folder.js';
import { OnnxDetector, type OnnxDetectorOptions } from './onnx-detector.js';

/** Configurations kept; a process rarely sees more than a couple. */
const LIMIT = 8;
const detectors = new Map<string, OnnxDetector>();

/** The detector for `options`, created on first request. Throws like `new OnnxDetector`. */
export function sharedOnnxDetector(options: OnnxDetectorOptions): OnnxDetector {
  const folder = resolve(options.path);
  const key = `${JSON.stringify({ ...options, path: folder })}|${folderStamp(folder)}`;
  let detector = detectors.get(key);
  if (detector === undefined) {
    detector = new OnnxDetector(options);
    if (detectors.size >= LIMIT) detectors.delete(detectors.keys().next().value as string);
    detectors.set(key, detector);
  }
  return detector;
}
