/**
 * The web console in a real browser (Debian's Chromium driven by playwright-core) against a real
 * gateway: log in, send a request with the openai SDK, watch it arrive in the live view, open it,
 * check that the app role sees tokens only and the support lead sees the originals after a reveal,
 * run the playground, verify the audit chain, download the signed report, and look at the policy
 * and detection pages. Each page is photographed; with VEIL_UPDATE_SCREENSHOTS=1 the pictures go
 * to docs/ui/ (for the README and docs/ui.md), otherwise to a temporary folder.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Veil } from '../../src/engine.js';
import { resolveConfig } from '../../src/proxy/config.js';
import { Gateway } from '../../src/proxy/server.js';
import { runCliInProcess } from '../cli/run-cli.js';
import { APP_KEY, LEAD_KEY, startConsoleGateway, type ConsoleHarness } from './harness.js';

const CHROMIUM = '/usr/bin/chromium';
/** docs/ui/ when asked (VEIL_UPDATE_SCREENSHOTS=1), so an ordinary run leaves the working tree alone. */
const UPDATE_SHOTS = process.env['VEIL_UPDATE_SCREENSHOTS'] === '1';
const EMAIL = 'maria.garcia@example.com';
/** The policy gives phones format-preserving (fpe) tokens: another number of the same shape. */
const PHONE = '+1 415 555 0132';
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** A small labelled corpus, so the Detection page shows figures `veil eval` really measured. */
function corpus(): string {
  const people = ['Ana Lima', 'Jonas Berg', 'Maria Garcia', 'Tom Okafor', 'Lena Vogel', 'Omar Haddad'];
  const lines = people.map((name, index) => {
    const mail = `${name.split(' ')[0]?.toLowerCase()}@example.com`;
    const phone = `+1 415 555 01${String(10 + index)}`;
    const text = `Hello, I am ${name}. Mail ${mail} or call ${phone}.`;
    const at = (part: string): { start: number; end: number } => ({ start: text.indexOf(part), end: text.indexOf(part) + part.length });
    return JSON.stringify({
      id: String(index),
      text,
      spans: [
        { ...at(name), label: 'PERSON', text: name },
        { ...at(mail), label: 'EMAIL', text: mail },
        { ...at(phone), label: 'PHONE', text: phone },
      ],
    });
  });
  lines.push(JSON.stringify({ id: 'card', text: 'Card 4111 1111 1111 1111 expires soon.', spans: [{ start: 5, end: 24, label: 'CREDIT_CARD', text: '4111 1111 1111 1111' }] }));
  lines.push(JSON.stringify({ id: 'none', text: 'Nothing personal in this sentence.', spans: [] }));
  // Harder ones, so the figures are not all perfect: lower-case names, a company, a place.
  const harder: [string, [string, string][]][] = [
    ['met jonas at the harbour in Aarhus yesterday', [['jonas', 'PERSON'], ['Aarhus', 'LOCATION']]],
    ['Invoice from Brightwater Analytics Ltd attached', [['Brightwater Analytics Ltd', 'ORG']]],
    ['ping omar.h (at) example dot com when free', [['omar.h (at) example dot com', 'EMAIL']]],
  ];
  harder.forEach(([text, spans], index) => {
    lines.push(JSON.stringify({ id: `hard-${index}`, text, spans: spans.map(([part, label]) => ({ start: text.indexOf(part), end: text.indexOf(part) + part.length, label, text: part })) }));
  });
  return `${lines.join('\n')}\n`;
}

let shots = '';

/** `expect.poll` with room for a busy CI machine (its default gives up after one second). */
function eventually<T>(read: () => T | Promise<T>): ReturnType<typeof expect.poll<T>> {
  return expect.poll(read, { timeout: 10_000 });
}

/** Every form control on the page has a label (or an aria-label), and every table a caption. */
async function expectAccessible(page: Page): Promise<void> {
  // A string, because this project's TypeScript has no DOM types: it runs in the page.
  const unlabelled = await page.evaluate<string[]>(
    "[...document.querySelectorAll('input, select, textarea')].filter((c) => c.labels.length === 0 && c.getAttribute('aria-label') === null).map((c) => c.id || c.name || c.tagName)",
  );
  expect(unlabelled).toEqual([]);
  expect(await page.locator('table:not(:has(caption))').count()).toBe(0);
}

async function shoot(page: Page, name: string): Promise<void> {
  await expectAccessible(page);
  const path = join(shots, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  expect((await readFile(path)).subarray(1, 4).toString('latin1')).toBe('PNG');
}

async function logIn(page: Page, url: string, key: string): Promise<void> {
  await page.goto(`${url}/ui/live`);
  await page.waitForURL(/\/ui\/login/);
  await page.getByLabel('API key or bearer token').fill(key);
  await page.getByRole('button', { name: 'Log in', exact: true }).click();
  await page.waitForURL(/\/ui\/live/);
  await page.getByText('Live: streaming').waitFor();
}

async function logOut(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Log out' }).click();
  await page.waitForURL(/\/ui\/login/);
}

const HAS_CHROMIUM = existsSync(CHROMIUM);
describe.skipIf(!HAS_CHROMIUM)(`web console in Chromium${HAS_CHROMIUM ? '' : ` (skipped: ${CHROMIUM} is absent; apt-get install chromium, as .ci/run does)`}`, () => {
  let gateway: ConsoleHarness;
  let context: BrowserContext;
  let profile: string;
  let page: Page;

  beforeAll(async () => {
    gateway = await startConsoleGateway();
    shots = UPDATE_SHOTS ? join(import.meta.dirname, '..', '..', 'docs', 'ui') : join(gateway.dataDir, 'screenshots');
    await mkdir(shots, { recursive: true });
    const corpusFile = join(gateway.dataDir, 'console-demo.jsonl');
    await writeFile(corpusFile, corpus(), 'utf8');
    const evaluated = await runCliInProcess(['eval', corpusFile], { env: { VEIL_DATA_DIR: gateway.dataDir } });
    expect(evaluated.code).toBe(0);
    profile = await mkdtemp(join(tmpdir(), 'veil-ui-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: FLAGS,
      acceptDownloads: true,
      viewport: { width: 1366, height: 860 },
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(10_000);
  }, 60_000);

  afterAll(async () => {
    await context?.close();
    await gateway?.close();
    if (profile !== undefined) await rm(profile, { recursive: true, force: true });
  });

  it('asks for a key, then shows a request sent with the openai SDK as it passes', async () => {
    await page.goto(`${gateway.url}/ui/live`);
    await page.waitForURL(/\/ui\/login/);
    await page.getByLabel('API key or bearer token').fill('veil_wrong_key_for_this_gateway');
    await page.getByRole('button', { name: 'Log in', exact: true }).click();
    await eventually(() => page.getByRole('alert').textContent()).toContain('Not accepted');
    await shoot(page, 'login');

    await logIn(page, gateway.url, APP_KEY);
    const client = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: APP_KEY, defaultHeaders: { 'x-veil-session': 'ticket-4711' } });
    const answer = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: `Hi, I'm Maria Garcia. Please write to ${EMAIL} or call ${PHONE} about my order (card 4111 1111 1111 1111).` }],
    });
    expect(answer.choices[0]?.message.content).toContain(EMAIL);
    const row = page.locator('#live-table tbody tr').first();
    await row.getByText('EMAIL 1').waitFor();
    await eventually(() => row.textContent()).toContain('forwarded');
    expect(await row.textContent()).toContain('pass');
  });

  it('shows the app role tokens and types only, even when it asks to reveal', async () => {
    await page.locator('#live-table tbody tr').first().getByRole('button', { name: /Open request/ }).click();
    const clientPane = page.locator('#client-pane');
    const providerPane = page.locator('#provider-pane');
    await eventually(() => providerPane.textContent()).toContain('<<EMAIL_1>>');
    // The fpe token looks like any phone number; the page marks it because the gateway recorded it.
    const fpe = providerPane.locator('mark.token', { hasText: 'PHONE' });
    expect(await fpe.count()).toBe(1);
    expect(await fpe.getAttribute('title')).toBe('PHONE token (format-preserving)');
    expect(await fpe.textContent()).toMatch(/^\+1 \d{3} \d{3} \d{4}PHONE$/);
    expect(await providerPane.textContent()).not.toContain(PHONE);
    expect(await clientPane.locator('mark.hidden-value', { hasText: 'PHONE' }).count()).toBe(1);
    await page.getByLabel('Reason for revealing original values').fill('curious');
    await page.getByRole('button', { name: 'Reveal originals' }).click();
    await eventually(() => page.locator('#reveal-message').textContent()).toContain('does not allow');
    expect(await clientPane.textContent()).not.toContain(EMAIL);
    expect(await clientPane.textContent()).toContain('<<EMAIL_1>>');
    expect(await page.content()).not.toContain(EMAIL);
    expect(await page.content()).not.toContain(PHONE);
    await logOut(page);
  });

  it('shows the support lead the original values next to what the provider saw', async () => {
    await logIn(page, gateway.url, LEAD_KEY);
    await page.locator('#live-table tbody tr').first().getByRole('button', { name: /Open request/ }).click();
    await page.getByLabel('Reason for revealing original values').fill('ticket 4711: customer asked for a callback');
    await page.getByRole('button', { name: 'Reveal originals' }).click();
    const clientPane = page.locator('#client-pane');
    await eventually(() => clientPane.textContent()).toContain(EMAIL);
    // The fpe token was asked for by its digits and came back as the number the client sent.
    expect(await clientPane.locator('mark.value', { hasText: 'PHONE' }).textContent()).toBe(`${PHONE}PHONE`);
    // A redaction is marked too, but one-way: nothing is stored, so no role ever sees the card.
    const card = clientPane.locator('mark.one-way');
    expect(await card.textContent()).toBe('[CREDIT_CARD]CREDIT_CARD');
    expect(await card.getAttribute('title')).toBe('CREDIT_CARD: one-way (redaction): the original is not stored');
    expect(await page.locator('#reveal-message').textContent()).toContain('3 of 3 values revealed by the policy\'s unmask rules (this reveal is in the audit log). 1 one-way token (hash or redaction) can never be revealed.');
    expect(await page.content()).not.toContain('4111 1111 1111 1111');
    expect(await page.locator('#provider-pane').textContent()).not.toContain(EMAIL);
    expect(await page.locator('#provider-pane').textContent()).not.toContain(PHONE);
    await shoot(page, 'live');
    // Keyboard only: Escape closes the view (and forgets the values), Enter on Open reopens it.
    await page.keyboard.press('Escape');
    await eventually(() => page.locator('#detail').isHidden()).toBe(true);
    expect(await page.locator('#client-pane').textContent()).toBe('');
    const open = page.locator('#live-table tbody tr.selected').getByRole('button', { name: /Open request/ });
    await eventually(() => open.evaluate((button) => button === (globalThis as unknown as { document: { activeElement: unknown } }).document.activeElement)).toBe(true);
    await page.keyboard.press('Enter');
    await eventually(() => page.locator('#detail').isVisible()).toBe(true);
    expect(await page.locator('#client-pane').textContent()).not.toContain(EMAIL);
  });

  it('runs the playground, with and without a detector, the policy\'s own detectors included', async () => {
    await page.getByRole('link', { name: 'Playground' }).click();
    await page.getByRole('checkbox', { name: 'rules.email' }).waitFor();
    // Also a ticket id (the policy's custom entity) and a project code (its LLM detector knows bluejay-7).
    await page.getByLabel('Text or chat transcript').fill(`Hi, I'm Maria Garcia, ${EMAIL}, card 4111 1111 1111 1111. Call me on ${PHONE} about ticket TCK-204817 for project bluejay-7.`);
    await page.getByRole('button', { name: 'Run' }).click();
    await eventually(() => page.locator('#play-masked').textContent()).toContain('<<EMAIL_1>>');
    expect(await page.locator('#play-highlight').textContent()).toContain('EMAIL · rules');
    expect(await page.locator('#play-masked').textContent()).toContain('[CREDIT_CARD]');
    expect(await page.locator('#play-answer').textContent()).toContain(EMAIL);
    expect(await page.locator('#play-rules').textContent()).toContain('decides: redact');
    expect(await page.locator('#play-highlight').textContent()).toContain('TICKET_ID · custom');
    expect(await page.locator('#play-highlight').textContent()).toContain('PROJECT_CODE · llm');
    expect(await page.locator('#play-masked mark', { hasText: /^\+1 \d{3} \d{3} \d{4}$/ }).getAttribute('title')).toBe('PHONE token (format-preserving)');
    await shoot(page, 'playground');
    await page.getByRole('checkbox', { name: 'llm' }).uncheck();
    await page.getByRole('checkbox', { name: 'custom.entities' }).uncheck();
    await page.getByRole('button', { name: 'Run' }).click();
    await eventually(() => page.locator('#play-summary').textContent()).toContain('since the previous run: lost TICKET_ID (custom.entities), PROJECT_CODE (llm)');
    await page.getByRole('checkbox', { name: 'llm' }).check();
    await page.getByRole('checkbox', { name: 'custom.entities' }).check();
    await page.getByRole('button', { name: 'Run' }).click();
    await eventually(() => page.locator('#play-summary').textContent()).toContain('found TICKET_ID (custom.entities), PROJECT_CODE (llm)');
    await page.getByRole('checkbox', { name: 'rules.email' }).uncheck();
    await page.getByRole('button', { name: 'Run' }).click();
    await eventually(() => page.locator('#play-masked').textContent()).not.toContain('<<EMAIL_1>>');
    expect(await page.locator('#play-summary').textContent()).toContain('since the previous run: lost EMAIL (rules.email)');
  });

  it('verifies the audit chain and downloads the signed report', async () => {
    await gateway.telemetry.audit.checkpoint();
    await page.getByRole('link', { name: 'Audit' }).click();
    await eventually(() => page.locator('#chain').textContent()).toContain('Verified: the chain is intact up to event');
    expect(await page.locator('#chain').textContent()).toMatch(/Signed checkpoints verified: [1-9]/);
    await eventually(() => page.locator('#events tbody tr').count()).toBeGreaterThan(1);
    await page.getByLabel('Kind').selectOption('unmask');
    await page.getByRole('button', { name: 'Filter' }).click();
    await eventually(() => page.locator('#events-status').textContent()).toContain('2 matching events');
    await page.getByRole('button', { name: 'Create report' }).click();
    await eventually(() => page.locator('#report-status').textContent()).toContain('INTACT');
    const [pdf] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: /Download report\.pdf/ }).click()]);
    expect(pdf.suggestedFilename()).toBe('report.pdf');
    const bytes = await readFile(await pdf.path());
    expect(bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const [json] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: /Download report\.json \(/ }).click()]);
    const report = JSON.parse(await readFile(await json.path(), 'utf8')) as { chain: { ok: boolean }; summary: { requests: number } };
    expect(report.chain.ok).toBe(true);
    expect(report.summary.requests).toBeGreaterThanOrEqual(1);
    await shoot(page, 'audit');
  });

  it('shows the policy with hit counts, and the errors of a rejected file', async () => {
    await writeFile(gateway.policyFile, 'rules:\n  - id: typo\n    action: mask-it\n', 'utf8');
    gateway.watcher.reload();
    await page.getByRole('link', { name: 'Policy' }).click();
    await eventually(() => page.locator('#rules tbody').textContent()).toContain('mask-the-rest');
    expect(await page.locator('#policy-rejection').textContent()).toContain('rules.0.action');
    const hits = await page.locator('#rules tbody tr').nth(3).locator('td').last().textContent();
    expect(Number(hits)).toBeGreaterThanOrEqual(2);
    await shoot(page, 'policy');
  });

  it('shows the latest veil eval figures and the detectors', async () => {
    await page.getByRole('link', { name: 'Detection' }).click();
    await eventually(() => page.locator('#eval-files').textContent()).toContain('console-demo.jsonl');
    expect(await page.locator('#eval-files svg rect').count()).toBeGreaterThan(0);
    const detectors = page.locator('#detectors tbody');
    expect(await detectors.textContent()).toContain('rules.email');
    // The policy's own detectors, each in its tier with its settings; the LLM endpoint by host and model only.
    expect(await detectors.locator('tr', { hasText: 'onnx.tiny' }).textContent()).toContain('labels PER → PERSON, LOC → LOCATION');
    expect(await detectors.locator('tr', { hasText: 'custom.entities' }).textContent()).toContain('TICKET_ID (pattern, score 0.95)');
    const llm = await detectors.locator('tr', { hasText: 'fake-pii' }).textContent();
    expect(llm).toContain(`host ${new URL(gateway.llm.url).host}; model fake-pii; API key: none`);
    expect(await detectors.textContent()).not.toContain(gateway.llm.url);
    expect(await detectors.locator('tr.tier-row').allTextContents()).toEqual([
      'Tier rules: patterns and checksums on',
      'Tier ner: named entities (built-in and ONNX models) on',
      'Tier custom: custom entities from the policy on',
      'Tier llm: LLM detector on',
    ]);
    await shoot(page, 'detection');
  });

  it('hides oversight pages from the app role', async () => {
    await logOut(page);
    await logIn(page, gateway.url, APP_KEY);
    expect(await page.getByRole('link', { name: 'Audit' }).isVisible()).toBe(false);
    await page.goto(`${gateway.url}/ui/audit`);
    await eventually(() => page.getByRole('alert').textContent()).toContain('needs the admin or auditor role');
  });

  it('logs in with the OIDC provider the policy trusts', async () => {
    await logOut(page);
    await page.getByRole('button', { name: 'Log in with the identity provider' }).click();
    await page.waitForURL(/\/ui\/live/);
    await eventually(() => page.locator('#who').textContent()).toMatch(/^jwt:[0-9a-f]+ · tenant acme · roles auditor$/);
    expect(gateway.idp.authorizations.at(-1)?.get('code_challenge_method')).toBe('S256');
    expect(await page.getByRole('link', { name: 'Audit' }).isVisible()).toBe(true);
  });

  it('opens without login on loopback when auth is disabled, and says so', async () => {
    const demo = new Gateway({ veil: new Veil(), config: resolveConfig({ flags: { port: 0 } }) });
    const { url } = await demo.listen();
    try {
      await page.goto(`${url}/ui/live`);
      await page.getByText('Auth is disabled.').waitFor();
      await page.getByText('anonymous (auth disabled)').waitFor();
      expect(page.url()).toContain('/ui/live');
    } finally {
      await page.goto('about:blank');
      await demo.close(100);
    }
  });
});
