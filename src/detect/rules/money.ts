/**
 * Amounts of money that belong to someone: a salary, a rent, a debt, a claim, damages awarded, a
 * payment. An amount is a currency sign or code with a number (`$1,240.00`, `€ 300`, `EUR 12,000`,
 * `R$ 1.200,00`, `Rs. 45,000`) or a number with a currency word or code (`5,000 euros`,
 * `30,000 Ukrainian hryvnias`, `4 500 zł`, `12 000 SEK`), with an optional scale (`$2.5 million`)
 * and a second bound (`£500–£700`).
 *
 * Figures alone are not personal: a company's revenue or a product's price says nothing about a
 * person, and a prompt about them loses its meaning when they are masked. So an amount is only
 * taken where a word of personal finance stands near it (paid, owed, salary, rent, claimed,
 * awarded, compensation, fine, bail, deposit, loan, …). Words that companies' figures share
 * (total, income, earnings, estimate, tax, debt, balance, bought, worth) are no such sign.
 * @module
 */
import type { Span } from '../../core/span.js';
import type { ContextWords } from '../context-words.js';
import { hasContext } from '../context-words.js';
import type { Detector } from '../detector.js';
import { span } from './rule-kit.js';

const ID = 'rules.money';

/** ISO 4217 codes (and a few former ones) that are no common word or acronym in capitals. */
const CODES =
  'USD|EUR|GBP|CHF|JPY|CNY|RMB|INR|RUB|RUR|UAH|PLN|CZK|HUF|RON|BGN|HRK|RSD|MKD|GEL|AZN|MDL|SEK|NOK|DKK|ISK|AUD|NZD|HKD|SGD|MXN|BRL|ARS|CLP|COP|ZAR|NGN|KES|EGP|MAD|TND|DZD|ILS|AED|SAR|QAR|KWD|IRR|PKR|BDT|LKR|NPR|THB|MYR|IDR|VND|KRW|TWD|KZT|BYN|BYR|LTL|LVL|EEK|SKK|SIT|DEM|FRF|ITL|NLG|ATS|BEF|PTE|GRD|FIM|IEP';
/**
 * Codes that are also common capitals (coronary artery disease, the language, the verb, the chip
 * maker): only with a number that has a thousands separator or decimals.
 */
const AMBIGUOUS_CODES = 'CAD|PHP|TRY|AMD';
/** Signs before the number, with the country letters some currencies add (`US$`, `R$`, `HK$`). */
const SIGNS = '(?:US|U\\.S\\.|A|AU|C|CA|NZ|HK|S|R|MX|NT)?\\$|[€£¥₹₽₺₴₩₪₦₱฿₫]|Rs\\.?|Rp\\.?|Kč';
/** Currency words after the number, singular and plural (never `pounds` alone: a weight). */
const WORDS = capitalisedToo(
  'euros?|dollars?|cents?|yen|yuan|renminbi|rupees?|roubles?|rubles?|hryvnias?|hryvnyas?|hryvnia|liras?|lire|zlotys?|złotych|złote|złoty|zł|forints?|korunas?|koruny|korun|kunas?|kuna|lei|leu|levs?|leva|dinars?|dirhams?|francs?|kroner|kronor|krone|krona|pesos?|reais|rand|naira|rs|shillings?|baht|ringgit|drams?|lari|manats?|tenge|riyals?|rials?|pounds sterling|sterling',
) + '|Ft|kr|Kč';

/** Each alternative also with its first letter in capitals (`Euros`, `Swiss Francs`). */
function capitalisedToo(alternatives: string): string {
  return alternatives
    .split('|')
    .map((word) => `[${word[0] ?? ''}${(word[0] ?? '').toUpperCase()}]${word.slice(1)}`)
    .join('|');
}

const NUMBER = String.raw`\d{1,3}(?:(?:,\d{3})+|(?:\.\d{3})+|(?:[ \u00a0\u202f]\d{3})+|(?:'\d{3})+)(?:[.,]\d{1,2})?(?!\d)|\d+(?:[.,]\d{1,2})?(?!\d)`;
const SCALE = String.raw`(?:[ \u00a0]?(?:million|billion|thousand|trillion|crore|lakh|mln|bn|mn|[kKmM])(?![A-Za-z]))?`;
/** Up to two words naming the currency's country between the number and the word (`Swiss francs`). */
const COUNTRY_WORDS = String.raw`(?:(?:new |old )?(?:U\.S\. |[A-Z][a-z]+ ){1,2})?`;

const BEFORE = `(?:${SIGNS})[ \\u00a0]?(?:${NUMBER})${SCALE}|(?:${CODES}|${AMBIGUOUS_CODES})[ \\u00a0]?(?:${NUMBER})${SCALE}`;
const AFTER = `(?:${NUMBER})${SCALE}[ \\u00a0]?(?:(?:${CODES}|${AMBIGUOUS_CODES})(?![A-Za-z])|${COUNTRY_WORDS}(?:${WORDS})(?![\\p{L}]))`;
const AMOUNT = new RegExp(`(?<![\\p{L}\\p{N}.,])(?:${BEFORE}|${AFTER})`, 'gu');
/** A second bound right after the first: `£500–£700`, `EUR 5,000-10,000`. */
const SECOND_BOUND = new RegExp(`^[ \\u00a0]?[-–][ \\u00a0]?(?:${SIGNS})?[ \\u00a0]?(?:${NUMBER})${SCALE}(?:[ \\u00a0]?(?:${CODES})(?![A-Za-z]))?`, 'u');

/**
 * Cheap sign that a text may state an amount at all: a currency sign, a code, or a digit before a
 * currency word. Case-sensitive, since a case-blind test of the words is several times slower.
 */
const CURRENCY_HINT = new RegExp(
  `[$€£¥₹₽₺₴₩₪₦₱฿₫]|Rs|Rp|Kč|(?:${CODES}|${AMBIGUOUS_CODES})|\\d[ \\u00a0]?(?:[A-Z][a-z]+ ){0,2}(?:${capitalisedToo('euro|dollar|cent|yen|yuan|renminbi|rupee|rouble|ruble|hryvn|lira|lire|zlot|złot|zł|forint|korun|kuna|lei|leu|lev|dinar|dirham|franc|kron|peso|reais|rand|naira|shilling|baht|ringgit|dram|lari|manat|tenge|riyal|rial|pounds sterling|sterling')}|Ft|kr)`,
);

const AMBIGUOUS_CODE = new RegExp(`^(?:${AMBIGUOUS_CODES})|(?:${AMBIGUOUS_CODES})$`);
const GROUPED_OR_DECIMAL = /\d[,.' \u00a0\u202f]\d/;
/** `$` and one digit with nothing after it is a shell or regex argument (`echo $1`), not money. */
const SHELL_ARGUMENT = /^\$\d$/;

/** Words that tie an amount to a person's money. */
export const MONEY_CONTEXT: ContextWords = {
  words: [
    'paid', 'pay', 'pays', 'paying', 'payment', 'payments', 'payable', 'repay', 'repaid', 'repayment',
    'owe', 'owes', 'owed', 'owing', 'due', 'arrears', 'overdraft', 'loan', 'loans', 'lent', 'borrowed', 'mortgage',
    'salary', 'salaries', 'wage', 'wages', 'pay rise', 'bonus', 'earn', 'earns', 'earned', 'pension',
    'allowance', 'stipend', 'benefit', 'benefits', 'alimony', 'maintenance', 'child support', 'tuition', 'rent',
    'compensation', 'damages', 'pecuniary', 'non-pecuniary', 'claim', 'claims', 'claimed', 'award', 'awarded', 'awards',
    'settlement', 'fine', 'fined', 'fines', 'penalty', 'bail', 'bribe', 'bribes', 'ransom', 'deposit', 'deposited', 'withdrew',
    'withdrawn', 'withdrawal', 'transferred', 'wired', 'refund', 'refunded', 'reimburse', 'reimbursed', 'reimbursement',
    'charged', 'fee', 'fees', 'expenses', 'invoice', 'invoiced', 'bill', 'billed', 'spent', 'donated',
    'inherited', 'inheritance', 'savings', 'credit limit', 'deduction', 'deductions', 'deducted', 'deductible', 'excess', 'copay',
    'co-pay', 'out of pocket', 'quote', 'quoted', 'taxes', 'hoa', 'fare', 'tip', 'insurance covers',
  ],
  before: 60,
  after: 40,
};

export function findMoney(text: string): Span[] {
  if (!CURRENCY_HINT.test(text)) return [];
  const spans: Span[] = [];
  AMOUNT.lastIndex = 0;
  for (let match = AMOUNT.exec(text); match !== null; match = AMOUNT.exec(text)) {
    const amount = match[0];
    const start = match.index;
    let end = start + amount.trimEnd().length;
    if (SHELL_ARGUMENT.test(amount)) continue;
    if (AMBIGUOUS_CODE.test(amount.trim()) && !GROUPED_OR_DECIMAL.test(amount)) continue;
    const bound = SECOND_BOUND.exec(text.slice(end, end + 40));
    if (bound !== null) end += bound[0].length;
    AMOUNT.lastIndex = end;
    if (!hasContext(text, start, end, MONEY_CONTEXT)) continue;
    spans.push(span(start, end, 'MONEY', 0.85, ID));
  }
  return spans;
}

export const moneyDetector: Detector = {
  id: ID,
  tier: 'rules',
  types: ['MONEY'],
  detect: findMoney,
};
