/**
 * The checks both transports must pass, run by stdio.test.ts and http.test.ts against a
 * connected SDK client whose server denies unmasking.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { expect, it } from 'vitest';
import { parseCsv } from '../../src/documents/csv.js';
import { call, PII, textOf, type Fixture } from './helpers.js';

export function toolSuite(getClient: () => Client, getFixture: () => Fixture): void {
  it('lists the five tools with JSON schemas', async () => {
    const { tools } = await getClient().listTools();
    expect(tools.map((tool) => tool.name).sort()).toEqual(['detect', 'mask_file', 'mask_text', 'scan_directory', 'unmask_text']);
    for (const tool of tools) {
      expect(tool.inputSchema.type).toBe('object');
      expect(tool.description?.length ?? 0).toBeGreaterThan(20);
    }
    const maskFile = tools.find((tool) => tool.name === 'mask_file');
    expect(maskFile?.inputSchema.required).toEqual(['path']);
  });

  it('detect returns types and offsets, values only when asked', async () => {
    const text = `Mail ${PII.email} or call ${PII.phone}`;
    const plain = await call(getClient(), 'detect', { text });
    expect(plain.isError).toBeFalsy();
    const entities = (plain.structuredContent as { entities: Array<Record<string, unknown>> }).entities;
    expect(entities.map((entity) => entity['type'])).toEqual(['EMAIL', 'PHONE']);
    expect(entities[0]).not.toHaveProperty('value');
    expect(textOf(plain)).not.toContain(PII.email);
    const withValues = await call(getClient(), 'detect', { text, include_values: true });
    const values = (withValues.structuredContent as { entities: Array<{ value: string }> }).entities.map((entity) => entity.value);
    expect(values).toEqual([PII.email, PII.phone]);
  });

  it('mask_text masks with consistent tokens and lists them', async () => {
    const result = await call(getClient(), 'mask_text', {
      text: `${PII.email} wrote; reply to ${PII.email}, SSN ${PII.ssn}`,
      session: 'suite-1',
    });
    expect(result.isError).toBeFalsy();
    expect(textOf(result)).toBe('<<EMAIL_1>> wrote; reply to <<EMAIL_1>>, SSN <<SSN_1>>');
    const content = result.structuredContent as { tokens: unknown; session: string };
    expect(content.session).toBe('suite-1');
    expect(content.tokens).toEqual([
      { token: '<<EMAIL_1>>', type: 'EMAIL', count: 2 },
      { token: '<<SSN_1>>', type: 'SSN', count: 1 },
    ]);
  });

  it('mask_text keeps JSON valid with format json', async () => {
    const result = await call(getClient(), 'mask_text', { text: JSON.stringify({ email: 'x', note: `ssn ${PII.ssn}` }), format: 'json' });
    expect(JSON.parse(textOf(result))).toEqual({ email: '<<EMAIL_1>>', note: 'ssn <<SSN_1>>' });
  });

  it('unmask_text is denied by default, as a tool error', async () => {
    const result = await call(getClient(), 'unmask_text', { text: '<<EMAIL_1>>', session: 'suite-1' });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/unmask denied/);
    expect(textOf(result)).not.toContain(PII.email);
  });

  it('mask_file writes a valid masked copy next to the file', async () => {
    const result = await call(getClient(), 'mask_file', { path: 'patients.csv', session: 'suite-file' });
    expect(result.isError, textOf(result)).toBeFalsy();
    const content = result.structuredContent as { output: string; format: string; counts: Record<string, number> };
    expect(content.output).toBe(join(getFixture().root, 'patients.masked.csv'));
    expect(content.format).toBe('csv');
    // The `email` column is masked whole, even the harmless-looking `n/a`.
    expect(content.counts).toEqual({ PERSON: 2, EMAIL: 2, PHONE: 1, SSN: 1 });
    const masked = await readFile(content.output, 'utf8');
    for (const value of Object.values(PII)) expect(masked).not.toContain(value);
    const table = parseCsv(masked);
    expect(table.rows.map((row) => row.map((cell) => cell.segment.text))).toEqual([
      ['name', 'email', 'notes'],
      ['<<PERSON_1>>', '<<EMAIL_1>>', 'call <<PHONE_1>>, ok'],
      ['<<PERSON_2>>', '<<EMAIL_2>>', 'SSN <<SSN_1>>'],
    ]);
    const again = await call(getClient(), 'mask_file', { path: 'patients.csv' });
    expect(again.isError).toBe(true);
    expect(textOf(again)).toMatch(/exists; pass overwrite/);
  });

  it('mask_file reports a bad path, a path outside the roots and a symlink out of them', async () => {
    const missing = await call(getClient(), 'mask_file', { path: 'nope.txt' });
    expect(missing.isError).toBe(true);
    expect(textOf(missing)).toMatch(/file not found: nope\.txt/);
    const outside = await call(getClient(), 'mask_file', { path: join(getFixture().outside, 'secret.txt') });
    expect(outside.isError).toBe(true);
    expect(textOf(outside)).toMatch(/outside the allowed roots/);
    const link = await call(getClient(), 'mask_file', { path: 'escape.txt' });
    expect(link.isError).toBe(true);
    expect(textOf(link)).toMatch(/outside the allowed roots/);
    const outputOutside = await call(getClient(), 'mask_file', { path: 'card.txt', output: join(getFixture().outside, 'x.txt') });
    expect(outputOutside.isError).toBe(true);
    expect(textOf(outputOutside)).toMatch(/outside the allowed roots/);
    const traversal = await call(getClient(), 'mask_file', { path: '../outside/secret.txt' });
    expect(textOf(traversal)).toMatch(/outside the allowed roots/);
  });

  it('scan_directory reports files by risk with progress notifications', async () => {
    const progress: number[] = [];
    const result = await getClient().callTool({ name: 'scan_directory', arguments: { path: '.' } }, undefined, {
      onprogress: (event) => progress.push(event.progress),
    });
    expect(result.isError, JSON.stringify(result.content)).toBeFalsy();
    const report = result.structuredContent as {
      files: Array<{ path: string; counts: Record<string, number>; findings: Array<{ line: number; preview: string }> }>;
      scanned_files: number;
    };
    const paths = report.files.map((file) => file.path);
    // Sorted by weighted count: the CSV's six values outweigh the single card number.
    expect(paths.slice(0, 2)).toEqual(['patients.csv', 'card.txt']);
    // The symlink out of the root is not followed.
    expect(paths).toContain('docs/readme.md');
    expect(paths).not.toContain('escape.txt');
    expect(paths).not.toContain('docs/clean.txt');
    const readme = report.files.find((file) => file.path === 'docs/readme.md');
    expect(readme?.findings[0]).toMatchObject({ line: 3, preview: 'Write to <<EMAIL_1>>.' });
    expect(JSON.stringify(result)).not.toContain(PII.email);
    expect(progress.length).toBeGreaterThan(0);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(Math.max(...progress)).toBeLessThanOrEqual(report.scanned_files);
  });

  it('scan_directory refuses a directory outside the roots and filters by glob', async () => {
    const outside = await call(getClient(), 'scan_directory', { path: getFixture().outside });
    expect(outside.isError).toBe(true);
    expect(textOf(outside)).toMatch(/outside the allowed roots/);
    const csvOnly = await call(getClient(), 'scan_directory', { path: '.', globs: ['*.csv'] });
    const files = (csvOnly.structuredContent as { files: Array<{ path: string }> }).files.map((file) => file.path);
    expect(files.every((path) => path.endsWith('.csv'))).toBe(true);
  });

  it('rejects invalid arguments as a tool error', async () => {
    const result = await call(getClient(), 'mask_text', { session: 'x' });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/text/);
  });
}
