/** The live view's buffer: bounded in rows and bytes, rows without bodies, outcomes inferred right. */
import { describe, expect, it } from 'vitest';
import { mask, type MaskResult } from '../../src/pipeline/mask.js';
import { buildDetectionEngine } from '../../src/policy/detectors.js';
import { issuedTokens, markToken } from '../../src/ui/live-api.js';
import { RequestFeed, type FeedRow } from '../../src/ui/request-feed.js';
import { MemoryTokenScope } from '../../src/vault/memory-scope.js';
import { RuleHits } from '../../src/policy/rule-hits.js';
import { decideFor } from '../../src/policy/rules.js';
import { parsePolicy } from '../../src/policy/load.js';

const START = { tenant: 'acme', keyId: 'app', route: '/v1/chat/completions', provider: 'openai' };
const DONE = { status: 200, upstreamStatus: 200, model: 'gpt-4o-mini', detectMs: 1 };

function forwarded(feed: RequestFeed, body: string, session?: string): void {
  const draft = feed.draft({ ...START, started: performance.now() });
  draft.entities = [
    { type: 'EMAIL', action: 'mask', token: 'EMAIL_1' },
    { type: 'EMAIL', action: 'mask', token: 'EMAIL_1' },
    { type: 'CREDIT_CARD', action: 'redact', token: undefined },
  ];
  draft.forward(body, session);
  draft.publish(DONE);
}

describe('RequestFeed', () => {
  it('keeps the newest rows up to its capacity, newest first', () => {
    const feed = new RequestFeed({ capacity: 3 });
    for (let index = 0; index < 5; index++) forwarded(feed, `{"n":${index}}`);
    expect(feed.size).toBe(3);
    const rows = feed.rows();
    expect(rows.map((row) => (feed.get(row.id)?.body as string) ?? '')).toEqual(['{"n":4}', '{"n":3}', '{"n":2}']);
  });

  it('counts entities by type and action, and says the leak gate passed', () => {
    const feed = new RequestFeed();
    forwarded(feed, '{}', 'ticket-1');
    const [row] = feed.rows();
    expect(row).toMatchObject({ entities: { EMAIL: { mask: 2 }, CREDIT_CARD: { redact: 1 } }, leakGate: 'pass', outcome: 'forwarded', hasSession: true, bodyNote: 'kept' });
    expect(row).not.toHaveProperty('body');
    expect(row).not.toHaveProperty('session');
    expect(row?.stages.upstream).not.toBeNull();
  });

  it('keeps no body for a request that never left: blocked, or stopped by the leak gate', () => {
    const feed = new RequestFeed();
    const blocked = feed.draft({ ...START, started: performance.now() });
    blocked.entities = [{ type: 'SSN', action: 'block', token: undefined }];
    blocked.publish({ ...DONE, status: 403, upstreamStatus: null });
    const tripped = feed.draft({ ...START, started: performance.now() });
    tripped.entities = [{ type: 'EMAIL', action: 'mask', token: 'EMAIL_1' }];
    tripped.publish({ ...DONE, status: 500, upstreamStatus: null });
    const [last, first] = feed.rows();
    expect(first).toMatchObject({ outcome: 'blocked', bodyNote: 'not_forwarded', leakGate: null });
    expect(last).toMatchObject({ outcome: 'leak_gate', bodyNote: 'not_forwarded', leakGate: 'tripped' });
    expect(feed.get((last as FeedRow).id)?.body).toBeUndefined();
  });

  it('drops bodies over the size limit and the oldest bodies over the byte budget, keeping the rows', () => {
    const feed = new RequestFeed({ maxBodyBytes: 100, maxTotalBodyBytes: 150 });
    forwarded(feed, 'x'.repeat(200));
    forwarded(feed, 'a'.repeat(80));
    forwarded(feed, 'b'.repeat(80));
    const notes = feed.rows().map((row) => row.bodyNote);
    expect(notes).toEqual(['kept', 'evicted', 'too_large']);
    expect(feed.keptBodyBytes).toBe(80);
  });

  it('tells subscribers about each row until they leave; a failing subscriber harms nobody', () => {
    const feed = new RequestFeed();
    const seen: FeedRow[] = [];
    feed.subscribe(() => {
      throw new Error('broken subscriber');
    });
    const leave = feed.subscribe((row) => seen.push(row));
    forwarded(feed, '{}');
    leave();
    forwarded(feed, '{}');
    expect(seen).toHaveLength(1);
    expect(seen[0]).not.toHaveProperty('body');
  });
});

const FORMATS = `rules:
  - { id: cards, when: { entity: CREDIT_CARD }, action: mask, format: fpe }
  - { id: mails, when: { entity: EMAIL }, action: mask, format: opaque }
  - { id: ibans, when: { entity: IBAN }, action: mask, format: opaque-siv }
  - { id: phones, when: { entity: PHONE }, action: mask, format: hash }
  - { id: ips, when: { entity: IP }, action: mask, format: redact }
  - { id: ssns, when: { entity: SSN }, action: redact }
  - { id: rest, action: mask }
`;
const TEXT = 'Card 4111 1111 1111 1111, mail ana@example.com twice ana@example.com, IBAN DE89370400440532013000, call +1 415 555 0132, host 10.1.2.3, SSN 078-05-1120, site https://example.org/x';

/** What the gateway does: mask with the policy's formats, then hand the result's entities to the draft. */
async function maskedRequest(feed: RequestFeed): Promise<{ result: MaskResult; row: FeedRow }> {
  const policy = parsePolicy(FORMATS);
  const result = await mask([TEXT], { engine: buildDetectionEngine(policy), scope: new MemoryTokenScope('acme', 's1'), decide: decideFor(policy, { tenant: 'acme' }) });
  const draft = feed.draft({ ...START, started: performance.now() });
  draft.entities = result.entities;
  draft.forward(JSON.stringify({ messages: [{ role: 'user', content: result.texts[0] }] }), 's1');
  draft.publish(DONE);
  return { result, row: feed.rows()[0] as FeedRow };
}

describe('the tokens the feed records', () => {
  it('are the tokens masking issued, each once with its type, in every format, as they stand in the body', async () => {
    const feed = new RequestFeed();
    const { result, row } = await maskedRequest(feed);
    const entry = feed.get(row.id);
    const masked = result.texts[0] as string;
    const marked = issuedTokens(entry?.tokens ?? []);
    const byType = Object.fromEntries(marked.map((token) => [token.type, token]));
    expect(Object.keys(byType).sort()).toEqual(['CREDIT_CARD', 'EMAIL', 'IBAN', 'IP', 'PHONE', 'SSN', 'URL']);
    expect(marked).toHaveLength(7); // the second mail got the same opaque token
    for (const token of marked) expect(masked).toContain(token.text);
    expect(byType['CREDIT_CARD']).toMatchObject({ format: 'fpe', id: (byType['CREDIT_CARD']?.text ?? '').replace(/\D/g, '') });
    expect(byType['CREDIT_CARD']?.text).toMatch(/^\d{4} \d{4} \d{4} \d{4}$/);
    expect(byType['EMAIL']).toMatchObject({ format: 'opaque', id: expect.stringMatching(/^VEIL_EMAIL_K/) });
    expect(byType['IBAN']).toMatchObject({ format: 'opaque-siv', id: expect.stringMatching(/^VEIL_IBAN_K\w{5}_S/) });
    expect(byType['PHONE']).toMatchObject({ format: 'hash', id: null, text: expect.stringMatching(/^HASH_PHONE_/) });
    expect(byType['IP']).toMatchObject({ format: 'redact', id: null, text: '[IP]' });
    expect(byType['SSN']).toMatchObject({ format: 'redact', id: null, text: '[SSN]' });
    expect(byType['URL']).toMatchObject({ format: 'placeholder', id: 'URL_1', text: '<<URL_1>>' });
    // Tokens and types only: no original value anywhere in what the feed keeps. The fpe card and
    // the row's UUID are random digits that hold '4111' by chance (about one run in 1,000), so
    // they are taken out before looking for fragments; the fpe token itself is not the card.
    const card = byType['CREDIT_CARD']?.text ?? '';
    expect(card.replace(/\D/g, '')).not.toBe('4111111111111111');
    const kept = JSON.stringify({ ...entry, id: undefined, body: undefined }).replaceAll(card, '<fpe token>');
    expect(kept).toContain('<fpe token>');
    for (const value of ['4111', 'ana@example.com', 'DE89370400440532013000', '415 555 0132', '10.1.2.3', '078-05-1120', 'example.org']) expect(kept).not.toContain(value);
    expect(row).not.toHaveProperty('tokens');
  });

  it('are not kept without a body: not forwarded, too large or evicted', async () => {
    const feed = new RequestFeed({ maxBodyBytes: 10_000, maxTotalBodyBytes: 500 });
    const tripped = feed.draft({ ...START, started: performance.now() });
    tripped.entities = [{ type: 'EMAIL', action: 'mask', token: 'EMAIL_1' }];
    tripped.publish({ ...DONE, status: 500, upstreamStatus: null });
    expect(feed.get((feed.rows()[0] as FeedRow).id)?.tokens).toEqual([]);
    const { row } = await maskedRequest(feed);
    expect(feed.get(row.id)?.tokens.length).toBe(8);
    await maskedRequest(feed);
    expect(feed.get(row.id)).toMatchObject({ bodyNote: 'evicted', tokens: [] });
  });
});

describe('markToken', () => {
  it('tells the format from the shape and gives the id the unmask service resolves', () => {
    expect(markToken('<<EMAIL_12>>', 'EMAIL')).toEqual({ text: '<<EMAIL_12>>', type: 'EMAIL', format: 'placeholder', id: 'EMAIL_12' });
    expect(markToken('+1 (415) 555-0199', 'PHONE')).toMatchObject({ format: 'fpe', id: '14155550199' });
    expect(markToken('[PERSON]', 'PERSON')).toMatchObject({ format: 'redact', id: null });
    expect(markToken('HASH_EMAIL_MZXW6YTBOI2DGMZXW6YTBOI2DG', 'EMAIL')).toMatchObject({ format: 'hash', id: null });
    expect(markToken('something else', 'MISC')).toMatchObject({ format: 'other', id: null });
  });
});

describe('RuleHits', () => {
  it('counts the decisions of each rule per policy version, with one wrapper per decide function', () => {
    const policy = parsePolicy('rules:\n  - id: cards\n    when: { entity: CREDIT_CARD }\n    action: redact\n  - id: rest\n    action: mask\n');
    const hits = new RuleHits();
    const decide = decideFor(policy, { tenant: 'default' });
    const counted = hits.counting(policy, decide);
    expect(hits.counting(policy, decide)).toBe(counted);
    const span = (type: string) => ({ start: 0, end: 1, type, score: 1, detector: 'test' });
    counted(span('CREDIT_CARD'), 0);
    counted(span('EMAIL'), 0);
    counted(span('PHONE'), 0);
    expect(Object.fromEntries(hits.of(policy))).toEqual({ cards: 1, rest: 2 });
    expect(hits.of(parsePolicy('rules: []\n')).size).toBe(0);
  });
});
