/**
 * Credentials with a recognisable shape: cloud and provider API keys (AWS, GitHub, GitLab, Slack,
 * Stripe, OpenAI, Anthropic, Google), JWTs whose header decodes to JSON with "alg", and AWS secret
 * access keys next to an access key id or an AWS word. One pass finds every known prefix; each
 * hit is then checked with its own anchored pattern.
 * @module
 */
import type { Span } from '../../core/span.js';
import { findContextWords, hasContext } from '../context-words.js';
import type { Detector } from '../detector.js';
import { AWS_SECRET_CONTEXT } from './context.js';
import { isAlnumCode, longTokenRuns, shannonEntropy, span } from './rule-kit.js';

const ID = 'rules.secret_key';

const PREFIX = /(?:A(?:KIA|SIA|IDA|ROA|IPA|NPA|NVA|GPA)|gh[pousr]_|github_pat_|glpat-|xox[abprs]-|[rs]k_(?:live|test)_|sk-|AIza|eyJ)/y;

interface KeyShape {
  readonly pattern: RegExp;
  readonly score: number;
}

// Anchored with the sticky flag at the prefix position; every body is a single character class.
const SHAPES: Record<string, KeyShape> = {
  aws: { pattern: /A(?:KIA|SIA|IDA|ROA|IPA|NPA|NVA|GPA)[A-Z0-9]{16}(?![A-Za-z0-9])/y, score: 0.95 },
  github: { pattern: /gh[pousr]_[A-Za-z0-9]{36,251}(?![A-Za-z0-9_])/y, score: 0.98 },
  githubPat: { pattern: /github_pat_[A-Za-z0-9_]{22,255}(?![A-Za-z0-9_])/y, score: 0.98 },
  gitlab: { pattern: /glpat-[A-Za-z0-9_-]{20,64}(?![A-Za-z0-9_-])/y, score: 0.98 },
  slack: { pattern: /xox[abprs]-[A-Za-z0-9-]{10,250}(?![A-Za-z0-9-])/y, score: 0.95 },
  stripe: { pattern: /[rs]k_(?:live|test)_[A-Za-z0-9]{10,247}(?![A-Za-z0-9])/y, score: 0.97 },
  anthropic: { pattern: /sk-ant-[A-Za-z0-9_-]{20,250}(?![A-Za-z0-9_-])/y, score: 0.98 },
  openai: { pattern: /sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,250}(?![A-Za-z0-9_-])/y, score: 0.9 },
  google: { pattern: /AIza[0-9A-Za-z_-]{35}(?![A-Za-z0-9_-])/y, score: 0.95 },
  jwt: { pattern: /eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]*/y, score: 0.95 },
};

function shapeFor(prefix: string): KeyShape | undefined {
  if (prefix.startsWith('AIza')) return SHAPES['google'];
  if (prefix.startsWith('A')) return SHAPES['aws'];
  if (prefix.startsWith('github_pat_')) return SHAPES['githubPat'];
  if (prefix.startsWith('gh')) return SHAPES['github'];
  if (prefix.startsWith('glpat-')) return SHAPES['gitlab'];
  if (prefix.startsWith('xox')) return SHAPES['slack'];
  if (prefix.startsWith('eyJ')) return SHAPES['jwt'];
  if (prefix.startsWith('sk-')) return undefined; // decided by the caller (Anthropic or OpenAI)
  return SHAPES['stripe'];
}

function isJwtHeader(value: string): boolean {
  const header = value.slice(0, value.indexOf('.'));
  try {
    const parsed: unknown = JSON.parse(Buffer.from(header, 'base64url').toString('utf8'));
    return typeof parsed === 'object' && parsed !== null && 'alg' in parsed;
  } catch {
    return false;
  }
}

const AWS_WORD = /aws|secret/i;

function isKeyChar(code: number): boolean {
  return isAlnumCode(code) || code === 47 || code === 43;
}

/** AWS secret access keys: 40 random base64 characters shortly after a key id or an AWS word. */
function findAwsSecrets(text: string, accessKeyEnds: readonly number[], spans: Span[]): void {
  const windows: number[] = [...accessKeyEnds];
  if (AWS_WORD.test(text)) for (const word of findContextWords(text, AWS_SECRET_CONTEXT)) windows.push(word.end);
  let scannedTo = 0;
  for (const from of windows.sort((a, b) => a - b)) {
    // Runs of exactly 40 key characters in the next 200 characters (a plain scan: a regex here
    // retries 40 characters at every position of the window).
    const limit = Math.min(text.length, from + 200);
    let runStart = -1;
    for (let index = Math.max(from, scannedTo); index <= limit; index++) {
      const code = index < text.length ? text.charCodeAt(index) : 32;
      if (isKeyChar(code)) {
        if (runStart === -1) runStart = index;
        continue;
      }
      if (runStart !== -1 && index - runStart === 40 && code !== 61) checkAwsSecret(text, runStart, accessKeyEnds, spans);
      runStart = -1;
    }
    scannedTo = limit;
  }
}

function checkAwsSecret(text: string, start: number, accessKeyEnds: readonly number[], spans: Span[]): void {
  const end = start + 40;
  const value = text.slice(start, end);
  // Real secrets mix cases and digits; hex digests and words do not.
  if (!/[a-z]/.test(value) || !/[A-Z]/.test(value) || !/\d/.test(value) || shannonEntropy(value) < 4) return;
  if (spans.some((other) => other.start === start)) return;
  const nearKey = accessKeyEnds.some((keyEnd) => start >= keyEnd && start - keyEnd <= 120);
  if (!nearKey && !hasContext(text, start, end, AWS_SECRET_CONTEXT)) return;
  spans.push(span(start, end, 'SECRET', nearKey ? 0.95 : 0.85, ID));
}

export function findSecretKeys(text: string): Span[] {
  const spans: Span[] = [];
  const accessKeyEnds: number[] = [];
  // Every key shape is a run of 17+ token characters (a JWT's first part included), so only the
  // long runs are tried against the prefixes.
  for (const run of longTokenRuns(text)) {
    const start = run.start;
    PREFIX.lastIndex = start;
    const match = PREFIX.exec(text);
    if (match === null) continue;
    let shape = shapeFor(match[0]);
    if (shape === undefined) shape = text.startsWith('sk-ant-', start) ? SHAPES['anthropic'] : SHAPES['openai'];
    if (shape === undefined) continue;
    shape.pattern.lastIndex = start;
    const hit = shape.pattern.exec(text);
    if (hit === null) continue;
    const value = hit[0];
    if (shape === SHAPES['jwt'] && !isJwtHeader(value)) continue;
    if (shape === SHAPES['openai'] && !/\d/.test(value)) continue; // "sk-learn-style-names" are not keys
    const end = start + value.length;
    if (shape === SHAPES['aws']) accessKeyEnds.push(end);
    spans.push(span(start, end, 'SECRET', shape.score, ID));
  }
  if (text.length >= 40) findAwsSecrets(text, accessKeyEnds, spans);
  return spans.sort((a, b) => a.start - b.start);
}

export const secretKeyDetector: Detector = {
  id: ID,
  tier: 'rules',
  types: ['SECRET'],
  detect: findSecretKeys,
};
