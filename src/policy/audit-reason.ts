/**
 * The `reason` of an unmask attempt, as the audit log may keep it. Callers write free text
 * ("customer maria@x.com asked for her card on ticket 88231"), which may itself hold the very
 * data the log must never contain, so it is run through detection and every span found is
 * replaced by its type (`[EMAIL]`), what detection missed but looks like an identifier (a number
 * of five or more digits, a word with `@`) is replaced too, whitespace is collapsed, and the
 * result is cut to `AUDIT_REASON_MAX` characters. The audit event checks the same character rules again
 * (`isAuditReason`), so a caller that skips this step cannot store an address or a number.
 * @module
 */
import type { DetectionEngine } from '../detect/engine.js';
import { AUDIT_REASON_MAX } from '../audit/event.js';
import { mask, type SpanDecision } from '../pipeline/mask.js';
import { MemoryTokenScope } from '../vault/memory-scope.js';

const REDACTED: SpanDecision = { action: 'redact' };
const REDACT_ALL = (): SpanDecision => REDACTED;

/** How much of a reason is scanned at all: a reason is a sentence, not a document. */
const SCAN_LIMIT = 2_000;
/** Digits grouped by separators, as phone, card and account numbers are written (as event.ts counts them). */
const DIGIT_RUN = /\d(?:[\s\-./()+]*\d)*/g;
const AT_WORD = /\S*@\S*/g;
// eslint-disable-next-line no-control-regex -- control characters are what is being removed
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

/** The reason as the audit log keeps it: redacted, one line, capped; null when there is none. */
export async function auditReason(reason: string | undefined, engine: DetectionEngine): Promise<string | null> {
  const text = reason?.slice(0, SCAN_LIMIT).replace(CONTROL, ' ').trim();
  if (text === undefined || text === '') return null;
  // The shared pipeline with every span redacted: `[TYPE]` markers, nothing issued or stored.
  const masked = await mask([text], { engine, scope: new MemoryTokenScope(), decide: REDACT_ALL });
  let redacted = masked.texts[0] ?? '';
  // What detection did not claim but could still identify someone: long numbers, addresses.
  redacted = redacted.replace(AT_WORD, '[EMAIL]').replace(DIGIT_RUN, (run) => (run.replace(/\D/g, '').length >= 5 ? '[NUMBER]' : run));
  redacted = redacted.replace(/\s+/g, ' ').trim();
  return redacted.length <= AUDIT_REASON_MAX ? redacted : `${redacted.slice(0, AUDIT_REASON_MAX - 1)}…`;
}
