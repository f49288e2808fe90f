/**
 * `veil serve`: runs the gateway. Settings come from `veil.yaml` (or `--config`), then the
 * environment (VEIL_HOST, VEIL_PORT, VEIL_UPSTREAM_URL, OPENAI_API_KEY), then flags.
 * Without an upstream it serves the built-in demo so one curl shows what Veil does.
 * @module
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { VeilError } from '../../core/errors.js';
import { createLogger, type Logger } from '../../core/logger.js';
import { Veil } from '../../engine.js';
import { Telemetry } from '../../observability/telemetry.js';
import { preloadNerModel } from '../../detect/ner/ner-detector.js';
import { prepareDetectors } from '../../policy/detectors.js';
import { resolveVaultSettings } from '../../vault/config.js';
import { defaultDataDir, Vault, type PurgeJob } from '../../vault/vault.js';
import { loadConfigFile, PROVIDER_NAME, resolveConfig } from '../../proxy/config.js';
import { Gateway } from '../../proxy/server.js';
import { parseConsoleSection } from '../../ui/oidc.js';
import type { ConsoleSettings } from '../../ui/ui-handler.js';
import { isLoopback } from '../../policy/authenticate.js';
import { defaultPolicy, formatIssue, PolicyError } from '../../policy/load.js';
import { PolicyWatcher, staticPolicySource, type PolicySource } from '../../policy/watch.js';
import type { CliCommand, CliIO } from '../command.js';
import { EXIT } from '../command.js';

const USAGE = `Usage: veil serve [--port N] [--host ADDR] [--upstream [PROVIDER=]URL]... [--config FILE]

Runs the privacy gateway (OpenAI-compatible API on /v1).

Options:
  --port N        port to listen on (env VEIL_PORT, default 8787)
  --host ADDR     address to bind (env VEIL_HOST, default 127.0.0.1)
  --upstream URL  OpenAI-compatible base URL, e.g. https://api.openai.com/v1
                  (env VEIL_UPSTREAM_URL; without one, the built-in demo upstream answers)
  --upstream PROVIDER=URL
                  another provider's base URL, as its own SDK takes it; repeatable:
                  anthropic=https://api.anthropic.com (serves /v1/messages),
                  azure=https://RESOURCE.openai.azure.com (serves /openai/...),
                  gemini=https://generativelanguage.googleapis.com (/v1beta/models/...),
                  ollama=http://localhost:11434 (/api/chat, /api/generate, /ollama/v1/...),
                  bedrock=https://bedrock-runtime.REGION.amazonaws.com (/model/...;
                  re-signed with AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY),
                  NAME=http://host:8000/v1 for an OpenAI-compatible server (vLLM,
                  llama.cpp; serves /NAME/v1/...)
  --config FILE   settings and policy file (env VEIL_CONFIG, default ./veil.yaml when it
                  exists); the policy is reloaded when the file changes (docs/policy.md).
                  Without one, the built-in policy applies: mask everything, loopback only

The provider key is the client's Authorization header, unless OPENAI_API_KEY (or
upstream.api_key in the config) is set. Session tokens are kept in the vault
(VEIL_DATA_DIR, default ./.veil; PostgreSQL with VEIL_VAULT_URL or vault.url in the config).
Expired tokens are purged every 300 s (VEIL_VAULT_PURGE_INTERVAL_SECONDS or
vault.purge_interval_seconds; off disables). POST /v1/veil/vault/forget erases a session or
a tenant (admin role; docs/vault.md).`;

interface ServeFlags {
  port?: number;
  host?: string;
  upstream?: string;
  providers?: Record<string, string>;
  config?: string;
}

/** `anthropic=https://…` → ['anthropic', 'https://…']; a bare URL → undefined. */
function providerUpstream(value: string): [string, string] | undefined {
  const at = value.indexOf('=');
  if (at <= 0) return undefined;
  const name = value.slice(0, at);
  return PROVIDER_NAME.test(name) ? [name, value.slice(at + 1)] : undefined;
}

function parseFlags(args: readonly string[]): ServeFlags | string {
  const flags: ServeFlags = {};
  for (let index = 0; index < args.length; index++) {
    const arg = args[index] ?? '';
    const [name, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = inline ?? args[++index];
    if (value === undefined) return `missing value for ${name}`;
    switch (name) {
      case '--port': {
        const port = Number(value);
        if (!Number.isInteger(port) || port < 0 || port > 65535) return `--port: expected a port number, got '${value}'`;
        flags.port = port;
        break;
      }
      case '--host':
        flags.host = value;
        break;
      case '--upstream': {
        const named = providerUpstream(value);
        if (named === undefined || named[0] === 'openai') flags.upstream = named?.[1] ?? value;
        else flags.providers = { ...flags.providers, [named[0]]: named[1] };
        break;
      }
      case '--config':
        flags.config = value;
        break;
      default:
        return `unknown option '${name}'`;
    }
  }
  return flags;
}

/** The web console's settings from the `ui` section of veil.yaml (src/ui/oidc.ts); `false`: off. */
function consoleOf(file: unknown, io: CliIO): false | ConsoleSettings {
  const section = parseConsoleSection((file as Record<string, unknown> | undefined)?.['ui'], io.env);
  return section === false ? false : { dataDir: defaultDataDir(io.env, io.cwd), ...section };
}

function waitForSignal(): Promise<string> {
  return new Promise((resolve) => {
    const onSignal = (signal: string): void => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      resolve(signal);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}

/**
 * Runs the gateway until `stop` settles (the command passes SIGINT/SIGTERM; tests pass their own).
 * `onListening` gets the base URL once the gateway accepts connections.
 */
export async function runServe(
  args: readonly string[],
  io: CliIO,
  stop: Promise<unknown>,
  onListening?: (url: string) => void,
): Promise<number> {
  const flags = parseFlags(args);
  if (typeof flags === 'string') {
    io.stderr.write(`veil serve: ${flags}\n\n${USAGE}\n`);
    return EXIT.usage;
  }
  let gateway: Gateway | undefined;
  let veil: Veil | undefined;
  let telemetry: Telemetry | undefined;
  let watcher: PolicyWatcher | undefined;
  let purgeJob: PurgeJob | undefined;
  /**
   * Closes what was opened, in order. Every step runs even when one before it failed (the data
   * directory gone, the database down): a step skipped would leave its sockets and timers
   * holding a stopped gateway alive. Returns what failed.
   */
  const shutdown = async (): Promise<unknown[]> => {
    const failed: unknown[] = [];
    const step = async (close: () => unknown): Promise<void> => {
      try {
        await close();
      } catch (error) {
        failed.push(error);
      }
    };
    await step(() => watcher?.close());
    // Before the audit log closes: a purge that is running still records its event.
    await step(() => purgeJob?.stop());
    await step(() => gateway?.close());
    await step(() => telemetry?.close());
    await step(() => veil?.close());
    return failed;
  };
  try {
    const envConfig = io.env['VEIL_CONFIG']?.trim();
    const configPath =
      flags.config ?? (envConfig === undefined || envConfig === '' ? undefined : envConfig) ?? (existsSync(resolve(io.cwd, 'veil.yaml')) ? 'veil.yaml' : undefined);
    const file = configPath === undefined ? undefined : loadConfigFile(resolve(io.cwd, configPath));
    const config = resolveConfig({
      ...(file === undefined ? {} : { file }),
      env: io.env,
      flags: {
        ...(flags.port === undefined ? {} : { port: flags.port }),
        ...(flags.host === undefined ? {} : { host: flags.host }),
        ...(flags.upstream === undefined ? {} : { upstream: flags.upstream }),
        ...(flags.providers === undefined ? {} : { providers: flags.providers }),
      },
    });
    const logger = createLogger();
    // The same file holds the policy; a broken edit later keeps the running version (watch.ts).
    watcher =
      configPath === undefined
        ? undefined
        : new PolicyWatcher(resolve(io.cwd, configPath), {
            logger,
            // Every version that comes into force is on the audit record.
            onReload: (next) => telemetry?.audit.record({ kind: 'policy_reload', tenant: 'system', policy_version: next.version }),
          }).start();
    const policy: PolicySource = watcher ?? staticPolicySource(defaultPolicy());
    // Sessions (x-veil-session) live in the encrypted vault, so tokens survive a restart.
    const vaultSettings = resolveVaultSettings((file as Record<string, unknown> | undefined)?.['vault'], io.env);
    const ttlSeconds = vaultSettings.ttlSeconds;
    const vault = await Vault.open({
      dataDir: defaultDataDir(io.env, io.cwd),
      env: io.env,
      ...(vaultSettings.url === undefined ? {} : { url: vaultSettings.url }),
      ...(vaultSettings.schema === undefined ? {} : { schema: vaultSettings.schema }),
      ...(ttlSeconds === undefined ? {} : { ttlFor: () => ttlSeconds }),
    });
    veil = new Veil({ vault });
    // Load the NER model and compile every detector's patterns now, so the first request does not pay for them.
    preloadNerModel();
    await veil.detection.warmUp();
    // ONNX models named by the policy load now: a model onnxruntime cannot run stops the start.
    await prepareDetectors(policy.current);
    // One audit event per request (counts and token ids, never values), /metrics, traces.
    telemetry = await Telemetry.open({ dataDir: defaultDataDir(io.env, io.cwd), env: io.env });
    const consoleSettings = consoleOf(file, io);
    gateway = new Gateway({ veil, config, logger, telemetry, policy, env: io.env, console: consoleSettings, vault });
    if (vaultSettings.purgeIntervalSeconds !== null) purgeJob = startPurge(vault, vaultSettings.purgeIntervalSeconds, logger, telemetry);
    const address = await gateway.listen();
    const mode =
      gateway.upstream.kind === 'demo'
        ? 'demo mode: answers come from the built-in demo upstream (set --upstream or VEIL_UPSTREAM_URL for a real provider)'
        : `upstream: ${gateway.upstream.describe}`;
    io.stderr.write(`veil: gateway listening on ${address.url}/v1\nveil: ${mode}\nveil: web console ${consoleSettings === false ? 'off (ui.enabled: false)' : `${address.url}/ui`}\n`);
    for (const [name, base] of Object.entries(config.providers ?? {})) io.stderr.write(`veil: ${name} upstream: ${base}\n`);
    if (configPath !== undefined) io.stderr.write(`veil: config ${configPath}\n`);
    io.stderr.write(
      `veil: vault ${vault.store.kind}, ${vaultSettings.purgeIntervalSeconds === null ? 'TTL purge off' : `expired tokens purged every ${vaultSettings.purgeIntervalSeconds} s`}\n`,
    );
    const current = policy.current;
    io.stderr.write(`veil: policy ${current.source === undefined ? 'built-in default' : configPath} (version ${current.version.slice(0, 12)})\n`);
    const llm = current.detectors.tiers.llm ? current.detectors.llm : undefined;
    if (llm !== undefined) io.stderr.write(`veil: LLM detector ${llm.model} at ${llm.url} (on failure or after ${llm.timeout_ms ?? 8000} ms: rules and NER only)\n`);
    for (const warning of current.warnings) io.stderr.write(`veil: WARNING: ${warning}\n`);
    if (current.auth.mode === 'disabled' && !isLoopback(address.host)) {
      io.stderr.write(`veil: WARNING: auth is disabled and Veil listens on ${address.host}: clients from other machines get 403\n`);
    }
    onListening?.(address.url);
  } catch (error) {
    // What did open (vault, audit log) must close, or its timers keep the process alive.
    await shutdown();
    if (error instanceof PolicyError) {
      for (const issue of error.issues) io.stderr.write(`veil serve: ${formatIssue(error.file, issue)}\n`);
      return EXIT.badInput;
    }
    if (VeilError.isInstance(error)) {
      io.stderr.write(`veil serve: ${error.message}\n`);
      return EXIT.badInput;
    }
    const code = (error as NodeJS.ErrnoException | undefined)?.code;
    if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') {
      io.stderr.write(`veil serve: cannot listen (${code})\n`);
      return EXIT.badInput;
    }
    throw error;
  }
  const reason = await stop;
  io.stderr.write(`veil: ${String(reason)}, closing\n`);
  const failed = await shutdown();
  if (failed.length === 0) return EXIT.ok;
  // Codes and names only: a message may quote a path or a server's words.
  const what = failed.map((error) => (error as NodeJS.ErrnoException | undefined)?.code ?? (error as Error | undefined)?.name ?? 'error');
  io.stderr.write(`veil serve: ${failed.length} part(s) did not close cleanly: ${what.join(', ')}\n`);
  return EXIT.badInput;
}

/** After a stop, how long a library's leftover socket or timer may keep the process alive. */
const EXIT_GRACE_MS = 2_000;

/**
 * The TTL purge job: a count in the log and one audit event for each run that removed
 * something (tenant `system`: a purge spans every tenant). Errors are logged by code only.
 */
function startPurge(vault: Vault, intervalSeconds: number, logger: Logger, telemetry: Telemetry): PurgeJob {
  return vault.startPurgeJob({
    intervalMs: intervalSeconds * 1000,
    onPurged: (count) => {
      if (count === 0) return;
      logger.info({ purged: count, store: vault.store.kind }, 'vault purge');
      telemetry.audit.record({
        kind: 'vault',
        tenant: 'system',
        principal: { key_id: 'veil', role: 'purge-job' },
        vault: { operation: 'purge', session: null, entries: count, data_key: false },
      });
    },
    onError: (error) => {
      logger.warn({ code: VeilError.isInstance(error) ? error.code : 'unknown' }, 'vault purge failed; retrying at the next interval');
    },
  });
}

export const serveCommand: CliCommand = {
  name: 'serve',
  summary: 'run the privacy gateway (OpenAI-compatible, on /v1)',
  usage: USAGE,
  run: async (args, io) => {
    const code = await runServe(args, io, waitForSignal());
    // Everything Veil opened is closed by now; whatever still holds the event loop (a client a
    // driver failed to end) must not keep a stopped gateway running until it is killed.
    setTimeout(() => process.exit(code), EXIT_GRACE_MS).unref();
    return code;
  },
};
