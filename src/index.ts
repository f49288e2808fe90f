/**
 * Veil's public API: the engine every surface uses.
 * @module
 */
export { Veil, type VeilOptions, type ScopeRequest, type ScopeProvider, type MaskCallOptions } from './engine.js';
export { openVeil, type OpenVeilOptions } from './open-veil.js';
export type { Span, DetectorTier } from './core/span.js';
export type { Detector, DetectContext } from './detect/detector.js';
export { DetectionEngine, type DetectionEngineOptions, type DetectionExplanation, type DropReason } from './detect/engine.js';
export { builtinDetectors, createDefaultEngine, defaultDetectors } from './detect/registry.js';
export { loadOnnxDetector, OnnxDetector, type OnnxDetectorOptions } from './detect/onnx/onnx-detector.js';
export { OnnxModelError } from './detect/onnx/model-folder.js';
export type { AllowList } from './detect/merge.js';
export { mask, type MaskResult, type MaskedEntity, type MaskAction, type DecideFn } from './pipeline/mask.js';
export { rehydrate, StreamRehydrator, type RehydrateOptions } from './pipeline/rehydrate.js';
export type { TokenScope, TokenRequest } from './vault/token-scope.js';
export { MemoryTokenScope } from './vault/memory-scope.js';
export { VeilError, VeilErrorCode } from './core/errors.js';
