import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, loadConfigFile, parseSize, resolveConfig } from '../../src/proxy/config.js';

function file(text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'veil-config-')), 'veil.yaml');
  writeFileSync(path, text);
  return path;
}

describe('gateway config', () => {
  it('has safe defaults: loopback, 8787, 10 MB, demo upstream', () => {
    const config = resolveConfig();
    expect(config).toMatchObject({ host: '127.0.0.1', port: 8787, bodyLimitBytes: 10 * 1024 * 1024 });
    expect(config.upstream.url).toBeUndefined();
  });

  it('reads veil.yaml, then env, then flags', () => {
    const path = file('server:\n  port: 9000\n  body_limit: 2mb\nupstream:\n  url: http://127.0.0.1:18080/v1/\n  first_byte_timeout_ms: 1000\npass_through: [/v1/files]\npolicy: {}\n');
    const fromFile = resolveConfig({ file: loadConfigFile(path) });
    expect(fromFile).toMatchObject({ port: 9000, bodyLimitBytes: 2 * 1024 * 1024, passThrough: ['/v1/files'] });
    expect(fromFile.upstream).toMatchObject({ url: 'http://127.0.0.1:18080/v1', firstByteTimeoutMs: 1000 });
    const fromEnv = resolveConfig({ file: loadConfigFile(path), env: { VEIL_PORT: '9100', VEIL_UPSTREAM_URL: 'https://api.openai.com/v1', OPENAI_API_KEY: 'sk-env' } });
    expect(fromEnv.port).toBe(9100);
    expect(fromEnv.upstream).toMatchObject({ url: 'https://api.openai.com/v1', apiKey: 'sk-env' });
    expect(resolveConfig({ env: { VEIL_PORT: '9100' }, flags: { port: 9200, host: '0.0.0.0' } })).toMatchObject({ port: 9200, host: '0.0.0.0' });
  });

  it('names file, line and column of a bad value or unknown key', () => {
    expect(() => loadConfigFile(file('server:\n  port: "eighty"\n'))).toThrow(/veil\.yaml:2:9: server\.port/);
    expect(() => loadConfigFile(file('upstream:\n  url: ftp://x\n'))).toThrow(/:2:8: upstream\.url: expected an http\(s\) URL/);
    expect(() => loadConfigFile(file('server:\n  port: 1\n  prot: 1\n'))).toThrow(/veil\.yaml:3:\d+: server: .*prot/);
    expect(() => loadConfigFile(file('server: [\n'))).toThrow(/invalid YAML/);
    expect(() => loadConfigFile('/nonexistent/veil.yaml')).toThrow(/cannot read config file \(ENOENT\)/);
  });

  it('rejects a bad port or upstream from env', () => {
    expect(() => resolveConfig({ env: { VEIL_PORT: 'abc' } })).toThrow(/VEIL_PORT/);
    expect(() => resolveConfig({ env: { VEIL_UPSTREAM_URL: 'nope' } })).toThrow(/VEIL_UPSTREAM_URL/);
  });

  it('parses sizes', () => {
    expect(parseSize('10mb')).toBe(DEFAULT_CONFIG.bodyLimitBytes);
    expect(parseSize('512 KB')).toBe(512 * 1024);
    expect(parseSize(100)).toBe(100);
    expect(parseSize('lots')).toBeUndefined();
  });
});
