// The benchmark's request: a 2 KB support chat full of personal data.
export const PERSONAL = [
  'Customer record for Maria Garcia, born 1984, lives at 1455 Market Street, Apt 12, San Francisco, CA 94103.',
  'Primary e-mail maria.garcia@example.com, work e-mail m.garcia@acme-logistics.com, phone +1 415 555 0132, mobile (415) 555-0175.',
  'She paid with card 4111 1111 1111 1111 and asked for a refund to IBAN GB82 WEST 1234 5698 7654 32.',
  'Her husband John Smith (john.smith@example.org, +44 20 7946 0958) is the secondary contact; SSN on file 123-45-6789.',
  'Previous ticket: the courier left the parcel at 22 Baker Street, London NW1 6XE, and Maria called back from +1 415 555 0199.',
];

/** The values the default detectors find in PERSONAL, for the literal detector. */
export const LITERALS = [
  ['EMAIL', 'maria.garcia@example.com'],
  ['EMAIL', 'm.garcia@acme-logistics.com'],
  ['EMAIL', 'john.smith@example.org'],
  ['PHONE', '+1 415 555 0132'],
  ['PHONE', '(415) 555-0175'],
  ['PHONE', '+44 20 7946 0958'],
  ['PHONE', '+1 415 555 0199'],
  ['CREDIT_CARD', '4111 1111 1111 1111'],
  ['IBAN', 'GB82 WEST 1234 5698 7654 32'],
  ['SSN', '123-45-6789'],
  ['ZIP', '94103'],
];

function personalText() {
  let text = '';
  while (text.length < 1900) text += `${PERSONAL.join(' ')} `;
  return text.slice(0, 1900);
}

/** The same conversation as an Anthropic Messages streaming request. */
export function anthropicBody() {
  return JSON.stringify({
    model: 'claude-sonnet-4-5',
    max_tokens: 512,
    stream: true,
    system: 'You are a support assistant. Answer briefly and keep customer data confidential.',
    messages: [{ role: 'user', content: personalText() }],
  });
}

export function chatBody(stream) {
  const text = personalText();
  return JSON.stringify({
    model: 'gpt-4o-mini',
    stream,
    messages: [
      { role: 'system', content: 'You are a support assistant. Answer briefly and keep customer data confidential.' },
      { role: 'user', content: text },
    ],
  });
}
