/**
 * Averaged structured perceptron over BIO tags with Viterbi decoding (Collins 2002). Lives in
 * src/ so `npm run train:ner` trains exactly the feature code that runs in production.
 * @module
 */
import type { TokenFeatures } from './features.js';
import { NerModel, type NerModelHeader } from './model.js';
import { START, TAG_COUNT, viterbi } from './tags.js';

export interface TrainingExample {
  readonly features: TokenFeatures;
  readonly tags: Uint8Array;
}

export class PerceptronTrainer {
  readonly bits: number;
  private readonly mask: number;
  readonly weights: Float64Array;
  /** Sum of `step * delta` per weight, for lazy averaging. */
  private readonly stamped: Float64Array;
  readonly transitions: Float64Array;
  private readonly stampedTransitions: Float64Array;
  private step = 1;

  constructor(bits: number) {
    this.bits = bits;
    this.mask = (1 << bits) - 1;
    this.weights = new Float64Array((1 << bits) * TAG_COUNT);
    this.stamped = new Float64Array(this.weights.length);
    this.transitions = new Float64Array((TAG_COUNT + 1) * TAG_COUNT);
    this.stampedTransitions = new Float64Array(this.transitions.length);
  }

  private emissions(example: TrainingExample): Float64Array {
    const { features, offsets } = example.features;
    const length = example.tags.length;
    const out = new Float64Array(length * TAG_COUNT);
    for (let i = 0; i < length; i++) {
      const base = i * TAG_COUNT;
      const end = offsets[i + 1] ?? 0;
      for (let f = offsets[i] ?? 0; f < end; f++) {
        const bucket = ((features[f] ?? 0) & this.mask) * TAG_COUNT;
        for (let t = 0; t < TAG_COUNT; t++) out[base + t] = (out[base + t] ?? 0) + (this.weights[bucket + t] ?? 0);
      }
    }
    return out;
  }

  private bump(index: number, delta: number): void {
    this.weights[index] = (this.weights[index] ?? 0) + delta;
    this.stamped[index] = (this.stamped[index] ?? 0) + this.step * delta;
  }

  private bumpTransition(index: number, delta: number): void {
    this.transitions[index] = (this.transitions[index] ?? 0) + delta;
    this.stampedTransitions[index] = (this.stampedTransitions[index] ?? 0) + this.step * delta;
  }

  /** One perceptron step; returns the number of mis-tagged tokens before the update. */
  learn(example: TrainingExample): number {
    const length = example.tags.length;
    if (length === 0) return 0;
    const predicted = viterbi(this.emissions(example), length, this.transitions);
    let errors = 0;
    const { features, offsets } = example.features;
    for (let i = 0; i < length; i++) {
      const gold = example.tags[i] ?? 0;
      const guess = predicted[i] ?? 0;
      const goldPrev = i === 0 ? START : (example.tags[i - 1] ?? 0);
      const guessPrev = i === 0 ? START : (predicted[i - 1] ?? 0);
      if (gold !== guess) {
        errors++;
        const end = offsets[i + 1] ?? 0;
        for (let f = offsets[i] ?? 0; f < end; f++) {
          const bucket = ((features[f] ?? 0) & this.mask) * TAG_COUNT;
          this.bump(bucket + gold, 1);
          this.bump(bucket + guess, -1);
        }
      }
      if (gold !== guess || goldPrev !== guessPrev) {
        this.bumpTransition(goldPrev * TAG_COUNT + gold, 1);
        this.bumpTransition(guessPrev * TAG_COUNT + guess, -1);
      }
    }
    this.step++;
    return errors;
  }

  /** Averaged weights and transitions. */
  averaged(): { weights: Float64Array; transitions: Float64Array } {
    const weights = new Float64Array(this.weights.length);
    for (let i = 0; i < weights.length; i++) weights[i] = (this.weights[i] ?? 0) - (this.stamped[i] ?? 0) / this.step;
    const transitions = new Float64Array(this.transitions.length);
    for (let i = 0; i < transitions.length; i++) {
      transitions[i] = (this.transitions[i] ?? 0) - (this.stampedTransitions[i] ?? 0) / this.step;
    }
    return { weights, transitions };
  }

  /** A float model for validation during training. */
  floatModel(header: NerModelHeader): NerModel {
    const { weights, transitions } = this.averaged();
    return new NerModel({ ...header, bits: this.bits, transitions: [...transitions] }, weights);
  }

  /** Averaged weights quantised to int16, with transitions on the same scale. */
  quantised(): { weights: Int16Array; transitions: number[]; scale: number } {
    const { weights, transitions } = this.averaged();
    let max = 0;
    for (const w of weights) max = Math.max(max, Math.abs(w));
    for (const w of transitions) max = Math.max(max, Math.abs(w));
    const scale = max === 0 ? 1 : 32000 / max;
    const q = new Int16Array(weights.length);
    for (let i = 0; i < weights.length; i++) q[i] = Math.round((weights[i] ?? 0) * scale);
    return { weights: q, transitions: [...transitions].map((w) => Math.round(w * scale)), scale };
  }
}
