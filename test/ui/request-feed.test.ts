/** The live view's buffer: bounded in rows and bytes, rows without bodies, outcomes inferred right. */
import { describe, expect, it } from 'vitest';
import { RequestFeed, type FeedRow } from '../../src/ui/request-feed.js';
import { RuleHits } from '../../src/policy/rule-hits.js';
import { decideFor } from '../../src/policy/rules.js';
import { parsePolicy } from '../../src/policy/load.js';

const START = { tenant: 'acme', keyId: 'app', route: '/v1/chat/completions', provider: 'openai' };
const DONE = { status: 200, upstreamStatus: 200, model: 'gpt-4o-mini', detectMs: 1 };

function forwarded(feed: RequestFeed, body: string, session?: string): void {
  const draft = feed.draft({ ...START, started: performance.now() });
  draft.entities = [{ type: 'EMAIL', action: 'mask' }, { type: 'EMAIL', action: 'mask' }, { type: 'CREDIT_CARD', action: 'redact' }];
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
    blocked.entities = [{ type: 'SSN', action: 'block' }];
    blocked.publish({ ...DONE, status: 403, upstreamStatus: null });
    const tripped = feed.draft({ ...START, started: performance.now() });
    tripped.entities = [{ type: 'EMAIL', action: 'mask' }];
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
