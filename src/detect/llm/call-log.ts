/**
 * How the LLM detector went for one request. The detector is built once per policy and shared
 * by every request in flight, so its `onStatus` callback cannot tell whose call finished; the
 * gateway instead opens a call log around a request's detection (`withLlmCallLog`), and each
 * `detect` call made inside it (across awaits, via AsyncLocalStorage) adds its status to that
 * log only. Concurrent requests therefore never see each other's timeouts.
 *
 * Until an LLM detector exists, `withLlmCallLog` runs its body as it is: AsyncLocalStorage
 * costs something on every promise once used, and the default hot path has no LLM tier.
 * @module
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { performance } from 'node:perf_hooks';

/** Why the LLM tier gave no result: an enum, never text from the model. */
export const LLM_FAILURES = ['timeout', 'network', 'http', 'malformed'] as const;
export type LlmFailure = (typeof LLM_FAILURES)[number];
export type LlmOutcome = 'ok' | LlmFailure;

/** What one `detect` call tells the log: counts, a duration and the outcome, no values. */
export interface LlmCallReport {
  readonly ok: boolean;
  readonly error?: LlmFailure;
  readonly ms: number;
  /** Spans the call returned (before the merge). */
  readonly spans: number;
}

/** The LLM tier's part of one request: wall time over its calls, spans, and the first failure. */
export interface LlmCallSummary {
  readonly tier: 'llm';
  readonly ms: number;
  readonly spans: number;
  readonly outcome: LlmOutcome;
}

export class LlmCallLog {
  #calls = 0;
  #spans = 0;
  #failure: LlmFailure | undefined;
  #first = Infinity;
  #last = -Infinity;

  add(report: LlmCallReport): void {
    const ended = performance.now();
    this.#calls++;
    this.#spans += report.spans;
    if (!report.ok && this.#failure === undefined) this.#failure = report.error ?? 'network';
    // Texts of a request are scanned in parallel: wall time, not the sum of the calls.
    this.#first = Math.min(this.#first, ended - report.ms);
    this.#last = Math.max(this.#last, ended);
  }

  /** Undefined when no LLM call was made (no LLM detector, or nothing to scan). */
  summary(): LlmCallSummary | undefined {
    if (this.#calls === 0) return undefined;
    return { tier: 'llm', ms: Math.max(0, this.#last - this.#first), spans: this.#spans, outcome: this.#failure ?? 'ok' };
  }
}

const current = new AsyncLocalStorage<LlmCallLog>();
let detectorsExist = false;

/** Called by each LLM detector when it is built: from then on, call logs are kept. */
export function noteLlmDetector(): void {
  detectorsExist = true;
}

/** Whether any LLM detector was built in this process (else there is nothing to log). */
export function llmCallsPossible(): boolean {
  return detectorsExist;
}

/** Runs `body` with `log` receiving the status of every LLM `detect` call made inside it. */
export function withLlmCallLog<T>(log: LlmCallLog, body: () => T): T {
  return detectorsExist ? current.run(log, body) : body();
}

/** Adds a call's report to the log of the request it belongs to, if any. */
export function reportLlmCall(report: LlmCallReport): void {
  current.getStore()?.add(report);
}
