import { mask } from '../../pipeline/mask.js';
import { defaultDetectors } from '../../detect/registry.js';
import { buildDetectionEngine, prepareDetectors } from '../../policy/detectors.js';
import { formatIssue, loadPolicy, PolicyError, policyPath } from '../../policy/load.js';
import type { Policy } from '../../policy/policy.js';
import { explainSpan, decideFor, type RuleContext } from '../../policy/rules.js';
import { matchRoute } from '../../policy/routes.js';
import { MemoryTokenScope } from '../../vault/memory-scope.js';
import { renderToken } from '../../vault/tokens/formats.js';
import type { CliCommand, CliIO } from '../command.js';
import { guard, parse, readInput, UsageError } from '../io.js';

const USAGE = `Usage: veil policy check [FILE]
       veil policy test [--config FILE] [--text TEXT | FILE|-] [--tenant T] [--role R]...
                        [--provider P] [--route R] [--json]

check  validates a policy file (default: --config / VEIL_CONFIG); prints every error as
       FILE:LINE:COLUMN and exits 1 when there is one
test   runs the policy on a text: for each span found, its type, score, the decision and the
       rule that made it, then the text as it would leave (masked; values never printed)
  --config FILE   policy file (default: VEIL_CONFIG, else the built-in default policy)
  --text TEXT     the text (otherwise FILE or stdin)
  --tenant T      tenant (default: the anonymous tenant, or the first tenant in the file)
  --role R        a role of the caller; repeat for several
  --provider P    provider name as the gateway routes it (openai, anthropic, azure, a route
                  name); default: none, so rules with a provider condition do not apply
  --route R       route id
  --path P        request path; picks the route that matches it
  --json          one JSON object instead of the table`;

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

function check(args: readonly string[], io: CliIO): number {
  const { values, positionals } = parse(args, { config: { type: 'string' } });
  if (positionals.length > 1) throw new UsageError('expected at most one FILE');
  const file = positionals[0] ?? policyPath(values.config, io.env);
  if (file === undefined) throw new UsageError('name a policy FILE (or set VEIL_CONFIG)');
  let policy: Policy;
  try {
    policy = loadPolicy(file);
  } catch (error: unknown) {
    if (!(error instanceof PolicyError)) throw error;
    for (const issue of error.issues) io.stderr.write(`${formatIssue(file, issue)}\n`);
    io.stderr.write(`${file}: ${error.issues.length} error${error.issues.length === 1 ? '' : 's'}\n`);
    return 1;
  }
  for (const warning of policy.warnings) io.stderr.write(`warning: ${warning}\n`);
  const keys = policy.keysByHash.size;
  const rules = policy.rules.filter((rule) => !rule.implicit).length;
  io.stdout.write(
    `${file}: ok (version ${policy.version.slice(0, 12)}, ${policy.tenants.size} tenants, ${keys} keys, ${rules} rules, ` +
      `${policy.providers.size} providers, ${policy.routes.length} routes)\n`,
  );
  return 0;
}

function contextFor(policy: Policy, values: { tenant?: string; role?: string[]; provider?: string; route?: string }): RuleContext {
  const tenant = values.tenant ?? (policy.auth.mode === 'disabled' ? policy.auth.anonymous.tenant : policy.tenants.keys().next().value) ?? 'default';
  if (policy.tenants.size > 0 && !policy.tenants.has(tenant)) throw new UsageError(`--tenant: no tenant '${tenant}' in the policy`);
  if (values.route !== undefined && !policy.routes.some((candidate) => candidate.id === values.route)) {
    throw new UsageError(`--route: no route '${values.route}' in the policy`);
  }
  const provider = values.provider;
  if (provider !== undefined && policy.providers.size > 0 && !policy.providers.has(provider)) {
    throw new UsageError(`--provider: '${provider}' is not listed under provider_access`);
  }
  return {
    tenant,
    roles: values.role ?? [],
    ...(provider === undefined ? {} : { provider }),
    ...(values.route === undefined ? {} : { route: values.route }),
  };
}

async function test(args: readonly string[], io: CliIO): Promise<number> {
  const { values, positionals } = parse(args, {
    config: { type: 'string' },
    text: { type: 'string' },
    tenant: { type: 'string' },
    role: { type: 'string', multiple: true },
    provider: { type: 'string' },
    route: { type: 'string' },
    path: { type: 'string' },
    json: { type: 'boolean' },
  });
  if (positionals.length > 1) throw new UsageError('expected at most one FILE');
  if (values.text !== undefined && positionals.length > 0) throw new UsageError('use either --text or FILE, not both');
  const file = policyPath(values.config, io.env);
  const policy = loadPolicy(file);
  const routeId = values.route ?? (values.path === undefined ? undefined : matchRoute(policy, values.path)?.id);
  const ctx = contextFor(policy, { ...values, ...(routeId === undefined ? {} : { route: routeId }) });
  const text = values.text ?? (await readInput(positionals[0], io));
  // The gateway's detectors (rules and the built-in NER), so the test shows what would leave.
  await prepareDetectors(policy);
  const engine = buildDetectionEngine(policy, defaultDetectors());
  const result = await mask([text], { engine, scope: new MemoryTokenScope(ctx.tenant), decide: decideFor(policy, ctx) });
  const masked = result.texts[0] ?? '';
  const spans = result.entities.map((entity) => {
    const explanation = explainSpan(policy, ctx, entity);
    return {
      type: entity.type,
      start: entity.start,
      end: entity.end,
      score: round(entity.score),
      detector: entity.detector,
      action: entity.action,
      rule: entity.rule ?? null,
      token: entity.token ?? null,
      format: entity.action === 'mask' ? (explanation.decision.format ?? 'placeholder') : null,
      rehydrate: explanation.decision.rehydrate,
      skipped: explanation.skipped,
    };
  });
  // `allow` spans are not in result.entities (they are left as they are); list them too.
  const allowed = (await engine.detect(text)).filter(
    (span) => !result.entities.some((entity) => entity.start === span.start && entity.end === span.end),
  );
  const allowedRows = allowed.map((span) => {
    const explanation = explainSpan(policy, ctx, span);
    return {
      type: span.type,
      start: span.start,
      end: span.end,
      score: round(span.score),
      detector: span.detector,
      action: explanation.decision.action,
      rule: explanation.decision.rule,
      token: null,
      format: null,
      rehydrate: explanation.decision.rehydrate,
      skipped: explanation.skipped,
    };
  });
  const rows = [...spans, ...allowedRows].sort((a, b) => a.start - b.start);
  const blockedTypes = [...new Set(result.blocked.map((entity) => entity.type))];
  const source = file ?? 'built-in default policy';
  if (values.json === true) {
    io.stdout.write(
      `${JSON.stringify({
        policy: { source, version: policy.version },
        context: { tenant: ctx.tenant, roles: ctx.roles ?? [], provider: ctx.provider ?? null, route: ctx.route ?? null },
        spans: rows,
        blocked: blockedTypes.length > 0,
        blockedTypes,
        text: masked,
      })}\n`,
    );
    return 0;
  }
  const out: string[] = [
    `policy   ${source} (version ${policy.version.slice(0, 12)})`,
    `context  tenant=${ctx.tenant} roles=${(ctx.roles ?? []).join(',') || '-'} provider=${ctx.provider ?? '-'} route=${ctx.route ?? '-'}`,
    '',
  ];
  if (rows.length === 0) out.push('no spans found');
  else {
    const typeWidth = Math.max(4, ...rows.map((row) => row.type.length));
    const detectorWidth = Math.max(8, ...rows.map((row) => row.detector.length));
    out.push(`${'type'.padEnd(typeWidth)}  ${'offsets'.padEnd(11)}  score  ${'detector'.padEnd(detectorWidth)}  ${'action'.padEnd(6)}  rule`);
    for (const row of rows) {
      const offsets = `${row.start}-${row.end}`.padEnd(11);
      const token = row.token === null ? '' : `  -> ${renderToken(row.token)}${row.format === 'placeholder' ? '' : ` (${row.format})`}`;
      const noBack = row.rehydrate ? '' : '  (not rehydrated)';
      out.push(
        `${row.type.padEnd(typeWidth)}  ${offsets}  ${row.score.toFixed(2)}   ${row.detector.padEnd(detectorWidth)}  ${row.action.padEnd(6)}  ${row.rule ?? '-'}${token}${noBack}`,
      );
    }
  }
  out.push('');
  if (blockedTypes.length > 0) out.push(`outcome  BLOCKED: the request would be refused (403 veil_blocked: ${blockedTypes.join(', ')})`);
  else out.push('outcome  forwarded');
  out.push('', masked, '');
  io.stdout.write(out.join('\n'));
  return 0;
}

export const policyCommand: CliCommand = {
  name: 'policy',
  summary: 'check a veil.yaml policy, or test it on a text',
  usage: USAGE,
  run: (args, io) =>
    guard('policy', USAGE, io, async () => {
      const [sub, ...rest] = args;
      if (sub === 'check') return check(rest, io);
      if (sub === 'test') return test(rest, io);
      throw new UsageError(sub === undefined ? 'expected a subcommand: check or test' : `unknown subcommand '${sub}'`);
    }),
};
