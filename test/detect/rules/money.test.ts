import { describe, expect, it } from 'vitest';
import { moneyDetector } from '../../../src/detect/rules/money.js';
import { createDefaultEngine } from '../../../src/detect/registry.js';
import { values } from './helpers.js';

describe('rules.money', () => {
  it.each([
    ['The applicant claimed EUR 12,000 in respect of non-pecuniary damage.', ['EUR 12,000']],
    ['The Court awards 5,000 euros for costs and expenses.', ['5,000 euros']],
    ['I paid $1,240.00 last week and still owe £85.', ['$1,240.00', '£85']],
    ['He was ordered to pay 30,000 Ukrainian hryvnias (UAH) in damages.', ['30,000 Ukrainian hryvnias']],
    ['the fine of 200 Swiss Francs was paid', ['200 Swiss Francs']],
    ['czynsz (rent) wynosi 4 500 zł', ['4 500 zł']],
    ['My salary is $85k and my brother earns $2.5 million a year.', ['$85k', '$2.5 million']],
    ['salary Rs. 45,000 per month', ['Rs. 45,000']],
    ['she was awarded 10 000 SEK', ['10 000 SEK']],
    ['paid R$ 1.200,00 yesterday', ['R$ 1.200,00']],
    ['Bail was set at £500–£700.', ['£500–£700']],
    ['rent is CAD 2,400/month', ['CAD 2,400']],
    ['Monthly rent: €1 150', ['€1 150']],
    ['So I accept a deduction of £35 and ask for the rest back.', ['£35']],
    ['Repair quote from the garage: $3,870.50 incl. GST.', ['$3,870.50']],
  ])('finds the amount in %j', (text, expected) => {
    expect(values(moneyDetector, text)).toEqual(expected);
  });

  it.each([
    ['figures that belong to no one', 'Revenue was $12,450,000, up 15.3% from last year.'],
    ['a product price', 'The new model sells for $999 in the US store.'],
    ["a company's estimates and taxes", 'It raised its earnings estimate to $3.09 a share; pre-tax profit was $12 million.'],
    ['shell arguments', 'if you paid attention: echo $1 $2 | tee out.log'],
    ['a weight', 'He lost 20 pounds after paying for a gym membership.'],
    ['ambiguous codes without a real amount', 'rent aside, CAD 2 vessels; PHP 8 and TRY 3 times; AMD 7950 paid off'],
    ['a bare number', 'The claim number is 448812 and the total came to 12 items.'],
  ])('leaves %s alone', (_, text) => {
    expect(values(moneyDetector, text)).toEqual([]);
  });

  it('is part of the default engine, as MONEY', () => {
    const text = 'He owes me $2,300 for the car.';
    const found = createDefaultEngine().detectSync(text).map((span) => `${span.type}:${text.slice(span.start, span.end)}`);
    expect(found).toContain('MONEY:$2,300');
  });
});
