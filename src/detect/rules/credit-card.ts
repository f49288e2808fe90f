/**
 * Payment card numbers: 12–19 digits (optionally grouped with spaces or dashes) that pass Luhn
 * and start with a known issuer range. A run of digit groups is searched for the first window of
 * whole groups that forms a card, so a card glued to a postal code or an expiry date is found.
 * @module
 */
import type { Span } from '../../core/span.js';
import { hasContext } from '../context-words.js';
import type { Detector } from '../detector.js';
import { CARD_CONTEXT } from './context.js';
import { countDigits, isAlnumCode, luhnValid, span } from './rule-kit.js';

const ID = 'rules.credit_card';
// Twelve or more digits, single spaces or dashes between them.
const RUN = /\d(?:[ -]?\d){11,}/g;

/** Issuer by prefix and allowed lengths; `undefined` when no known network matches. */
export function cardNetwork(digits: string): string | undefined {
  const length = digits.length;
  const p2 = Number(digits.slice(0, 2));
  const p3 = Number(digits.slice(0, 3));
  const p4 = Number(digits.slice(0, 4));
  const p6 = Number(digits.slice(0, 6));
  if (digits[0] === '4') return length === 13 || length === 16 || length === 19 ? 'visa' : undefined;
  if ((p2 >= 51 && p2 <= 55) || (p4 >= 2221 && p4 <= 2720)) return length === 16 ? 'mastercard' : undefined;
  if (p2 === 34 || p2 === 37) return length === 15 ? 'amex' : undefined;
  if (p4 === 6011 || (p3 >= 644 && p3 <= 649) || p2 === 65 || (p6 >= 622126 && p6 <= 622925))
    return length >= 16 && length <= 19 ? 'discover' : undefined;
  if ((p3 >= 300 && p3 <= 305) || p2 === 36 || p2 === 38 || p2 === 39 || p4 === 3095)
    return length >= 14 && length <= 19 ? 'diners' : undefined;
  // Issuers print 3528-3589; generators and some co-brands use the whole 35 block.
  if (p2 === 35) return length >= 16 && length <= 19 ? 'jcb' : undefined;
  if (p4 === 2131 || p4 === 1800) return length === 15 ? 'jcb' : undefined;
  if (p2 === 62 || p2 === 81) return length >= 16 && length <= 19 ? 'unionpay' : undefined;
  if (p2 === 50 || (p2 >= 56 && p2 <= 69)) return length >= 12 && length <= 19 ? 'maestro' : undefined;
  return undefined;
}

export function isCardNumber(digits: string): boolean {
  return digits.length >= 12 && digits.length <= 19 && luhnValid(digits) && cardNetwork(digits) !== undefined;
}

interface Group {
  readonly start: number;
  readonly end: number;
}

export function findCards(text: string): Span[] {
  const spans: Span[] = [];
  if (countDigits(text, 12) < 12) return spans;
  RUN.lastIndex = 0;
  for (let match = RUN.exec(text); match !== null; match = RUN.exec(text)) {
    const runStart = match.index;
    const runEnd = runStart + match[0].length;
    if (isAlnumCode(text.charCodeAt(runStart - 1)) || isAlnumCode(text.charCodeAt(runEnd))) continue;
    const groups: Group[] = [];
    let shortGroup = false;
    for (let index = runStart; index < runEnd; ) {
      const start = index;
      while (index < runEnd && text.charCodeAt(index) >= 48 && text.charCodeAt(index) <= 57) index++;
      groups.push({ start, end: index });
      if (index - start < 4 && index < runEnd) shortGroup = true;
      index++;
    }
    // Cards are printed in groups of four to six (the last may be shorter); 3-3-4 runs are phones.
    if (shortGroup && groups.length > 1) continue;
    // First window of whole groups that is a valid card, trying every start group.
    for (let first = 0; first < groups.length; first++) {
      let digits = '';
      let found = -1;
      for (let last = first; last < groups.length; last++) {
        const group = groups[last] as Group;
        digits += text.slice(group.start, group.end);
        if (digits.length > 19) break;
        if (digits.length >= 12 && isCardNumber(digits)) found = last;
      }
      if (found === -1) continue;
      const start = (groups[first] as Group).start;
      const end = (groups[found] as Group).end;
      const length = found - first === 0 ? end - start : countDigits(text.slice(start, end));
      const context = hasContext(text, start, end, CARD_CONTEXT);
      // Twelve-digit Maestro numbers collide with too many references to take without a card word.
      if (length < 13 && !context) continue;
      const grouped = found > first;
      const score = context ? 0.98 : grouped || length === 16 ? 0.9 : 0.8;
      spans.push(span(start, end, 'CREDIT_CARD', score, ID));
      first = found;
    }
  }
  return spans;
}

/** A card's last four digits after the words that introduce them, in a few languages. */
const ENDING_DIGITS =
  /(?:ending|ends|last (?:4|four)(?: digits)?|terminada en|terminando en|final|finissant par|se terminant par|endet auf|endend op|che termina con)[\s:(]*(?:in |with |is |of |: ?)?\(?(\d{4})(?![\d-])/gi;
/** The card word those words must follow, within the same sentence. */
const CARD_WORD_BEFORE = /\b(?:card|visa|mastercard|master card|amex|american express|discover|maestro|debit|credit|cartão|cartao|tarjeta|carte|karte|kaart|carta)\b[^.\n]{0,30}$/i;
/** "the last four digits of my debit card (7719)", "last 4 of the card: 0004". */
const LAST_DIGITS_OF_CARD = /\blast (?:4|four)(?: digits)? (?:of|on) (?:my|your|his|her|their|the|our) [a-z ]{0,20}?card\b[\s:(]*(?:is |was |: ?)?(\d{4})(?![\d-])/gi;
/** A printed card number with all but the last four hidden: `************1111`, `**** **** **** 1111`, `XXXX-XXXX-XXXX-1111`. */
const MASKED_NUMBER = /(?<![\p{L}\p{N}*•])(?:(?:[*xX•]{4}[ -]?){2,3}|[*xX•]{6,15})\d{4}(?![\p{L}\p{N}])/gu;
/** Case-sensitive on purpose: a case-blind test of these words costs several times more. */
const ENDING_HINT = /ending|ends|ENDING|[Ll]ast (?:4|four)|termin|final|finissant|endet|endend|[*xX•]{4}/;

/**
 * What is left of a card once a receipt or an agent has hidden the rest: the last four digits with
 * the words that introduce them, and a number printed with its other digits hidden. With a name
 * or a date they still point to one card, and they are what fraud calls and chargebacks ask for.
 */
export function findCardEndings(text: string): Span[] {
  if (!ENDING_HINT.test(text)) return [];
  const spans: Span[] = [];
  for (const pattern of [ENDING_DIGITS, LAST_DIGITS_OF_CARD]) {
    pattern.lastIndex = 0;
    for (let match = pattern.exec(text); match !== null; match = pattern.exec(text)) {
      if (pattern === ENDING_DIGITS && !CARD_WORD_BEFORE.test(text.slice(Math.max(0, match.index - 48), match.index))) continue;
      const digits = match[1] as string;
      const end = match.index + match[0].length;
      if (!spans.some((other) => other.end === end)) spans.push(span(end - digits.length, end, 'CREDIT_CARD', 0.85, ID));
    }
  }
  MASKED_NUMBER.lastIndex = 0;
  for (let match = MASKED_NUMBER.exec(text); match !== null; match = MASKED_NUMBER.exec(text)) {
    spans.push(span(match.index, match.index + match[0].length, 'CREDIT_CARD', 0.85, ID));
  }
  return spans;
}

export const creditCardDetector: Detector = {
  id: ID,
  tier: 'rules',
  types: ['CREDIT_CARD'],
  detect: (text) => {
    const cards = findCards(text);
    const endings = findCardEndings(text);
    return endings.length === 0 ? cards : [...cards, ...endings.filter((ending) => !cards.some((card) => ending.start < card.end && ending.end > card.start))];
  },
};
