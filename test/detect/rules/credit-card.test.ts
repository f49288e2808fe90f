import { describe, expect, it } from 'vitest';
import { cardNetwork, creditCardDetector, isCardNumber } from '../../../src/detect/rules/credit-card.js';
import { values } from './helpers.js';

describe('rules.credit_card', () => {
  it.each([
    ['visa', '4111111111111111'],
    ['mastercard', '5555555555554444'],
    ['mastercard', '2223003122003222'],
    ['amex', '378282246310005'],
    ['discover', '6011111111111117'],
    ['diners', '30569309025904'],
    ['jcb', '3530111333300000'],
    ['unionpay', '6200000000000005'],
    ['maestro', '6759649826438453'],
  ])('knows %s %s', (network, number) => {
    expect(isCardNumber(number)).toBe(true);
    expect(cardNetwork(number)).toBe(network);
  });

  it('finds compact, spaced and dashed numbers', () => {
    expect(values(creditCardDetector, 'card 4111 1111 1111 1111 exp 04/27')).toEqual(['4111 1111 1111 1111']);
    expect(values(creditCardDetector, 'amex 3782-822463-10005.')).toEqual(['3782-822463-10005']);
    expect(values(creditCardDetector, 'number 5555555555554444')).toEqual(['5555555555554444']);
  });

  it('takes a short Maestro number only next to a card word', () => {
    expect(values(creditCardDetector, 'limit for card 501864667909?')).toEqual(['501864667909']);
    expect(values(creditCardDetector, 'ticket 501864667909')).toEqual([]);
  });

  it('rejects numbers failing Luhn or with an unknown issuer', () => {
    expect(values(creditCardDetector, 'card 4111 1111 1111 1112')).toEqual([]);
    expect(values(creditCardDetector, 'card 1234 5678 1234 5670')).toEqual([]);
    expect(values(creditCardDetector, 'card 9999 9999 9999 9995')).toEqual([]);
  });

  it('does not join phone numbers or score tallies into a card', () => {
    expect(values(creditCardDetector, 'Steve 612-205-9814 620-294-1909')).toEqual([]);
    expect(values(creditCardDetector, 'wickets: 1-106 2-239 3-334 4-334 5-365 6-440 7-502')).toEqual([]);
  });

  it('finds what is left of a card: the last four digits after their words, and a number printed hidden', () => {
    expect(values(creditCardDetector, 'paid £389.00 with my Visa ending 4242. The courier')).toEqual(['4242']);
    expect(values(creditCardDetector, 'the last four digits of my debit card (7719), which')).toEqual(['7719']);
    expect(values(creditCardDetector, 'reembolso a su tarjeta terminada en 6623; cartão de crédito final 8821')).toEqual(['6623', '8821']);
    expect(values(creditCardDetector, 'VISA ************1111\nAUTH CODE 082214')).toEqual(['************1111']);
    expect(values(creditCardDetector, 'card **** **** **** 1111 and XXXX-XXXX-XXXX-4242')).toEqual(['**** **** **** 1111', 'XXXX-XXXX-XXXX-4242']);
    expect(values(creditCardDetector, 'card 4111 1111 1111 1111 ending 1111')).toEqual(['4111 1111 1111 1111', '1111']);
  });

  it('needs a card word before an ending', () => {
    expect(values(creditCardDetector, 'the meeting ending 2024 was long; the fiscal year ending 2025; xxxx')).toEqual([]);
  });
});
