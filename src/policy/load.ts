/**
 * Reading `veil.yaml`: YAML with node ranges kept, zod validation, the cross-reference checks zod
 * cannot express (unknown provider in a route, duplicate ids, unreachable rules, Cedar syntax),
 * and the built-in default policy used when there is no file. Every error names the line and
 * column of the offending node and what was expected; none quotes a value from the file, since a
 * policy file may hold key hashes and allow-listed personal values.
 * @module
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { isMap, isScalar, LineCounter, parseDocument, type Document } from 'yaml';
import { VeilError, VeilErrorCode } from '../core/errors.js';
import { compilePolicy, isCatchAll, type Policy } from './policy.js';
import { FOREIGN_SECTIONS, POLICY_SECTIONS, policyDocumentSchema, type PolicyDocument } from './schema.js';
import { checkCedarPolicies } from './unmask.js';
import { createCustomDetectors } from '../detect/custom/custom-detector.js';
import { sharedOnnxDetector } from '../detect/onnx/shared.js';
import { customEntityDefinitions, onnxDetectorOptions } from './detectors.js';

export interface PolicyIssue {
  /** Dotted path of the offending key, e.g. `rules.2.when.entity`. */
  readonly path: string;
  readonly message: string;
  readonly line: number | undefined;
  readonly column: number | undefined;
}

/** Thrown when a policy file is invalid; `issues` lists every problem found, in file order. */
export class PolicyError extends VeilError {
  readonly issues: readonly PolicyIssue[];
  readonly file: string;

  constructor(file: string, issues: readonly PolicyIssue[]) {
    const first = issues[0];
    const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
    super(VeilErrorCode.Config, `${first === undefined ? file : formatIssue(file, first)}${more}`, {
      data: { path: file, line: first?.line, column: first?.column, issues: issues.length },
    });
    this.issues = issues;
    this.file = file;
  }
}

/** `veil.yaml:12:5: rules.0.action: expected one of mask|redact|block|allow`. */
export function formatIssue(file: string, issue: PolicyIssue): string {
  const where = issue.line === undefined ? file : `${file}:${issue.line}:${issue.column ?? 1}`;
  return `${where}: ${issue.path === '' ? '' : `${issue.path}: `}${issue.message}`;
}

type Key = string | number;

interface Located {
  readonly document: Document;
  readonly lines: LineCounter;
}

function nodeRange(node: unknown): [number, number, number] | undefined {
  return (node as { range?: [number, number, number] } | undefined)?.range ?? undefined;
}

/** Position of the node at `path`, or of its deepest existing ancestor; `key` points at a map key. */
function position(located: Located, path: readonly Key[], key?: string): { line: number; column: number } | undefined {
  const { document, lines } = located;
  if (key !== undefined) {
    const parent = path.length === 0 ? document.contents : document.getIn(path, true);
    if (isMap(parent)) {
      const pair = parent.items.find((item) => isScalar(item.key) && item.key.value === key);
      const range = nodeRange(pair?.key);
      if (range !== undefined) {
        const pos = lines.linePos(range[0]);
        return { line: pos.line, column: pos.col };
      }
    }
  }
  for (let depth = path.length; depth >= 0; depth--) {
    const node = depth === 0 ? document.contents : document.getIn(path.slice(0, depth), true);
    const range = nodeRange(node);
    if (range !== undefined) {
      const pos = lines.linePos(range[0]);
      return { line: pos.line, column: pos.col };
    }
  }
  return undefined;
}

function issueAt(located: Located, path: readonly Key[], message: string, key?: string): PolicyIssue {
  const pos = position(located, path, key);
  const dotted = [...path, ...(key === undefined ? [] : [key])].join('.');
  return { path: dotted, message, line: pos?.line, column: pos?.column };
}

/** Zod's wording for a wrong type is fine; enum and literal messages are made to name the choices. */
function describeZodIssue(issue: { code: string; message: string; values?: readonly unknown[]; keys?: readonly string[] }): string {
  if (issue.code === 'invalid_value' && issue.values !== undefined) {
    return `expected one of ${issue.values.map((value) => String(value)).join('|')}`;
  }
  return issue.message.replace(/^Invalid input: /, '');
}

function duplicates<T>(items: readonly T[], idOf: (item: T) => string): number[] {
  const seen = new Set<string>();
  const dup: number[] = [];
  items.forEach((item, index) => {
    const itemId = idOf(item);
    if (seen.has(itemId)) dup.push(index);
    seen.add(itemId);
  });
  return dup;
}

/** Checks zod cannot do: references between sections, duplicates, unreachable rules. */
function crossCheck(doc: PolicyDocument, located: Located): PolicyIssue[] {
  const issues: PolicyIssue[] = [];
  for (const index of duplicates(doc.tenants, (tenant) => tenant.id)) {
    issues.push(issueAt(located, ['tenants', index, 'id'], 'duplicate tenant id'));
  }
  const allKeys = doc.tenants.flatMap((tenant, t) => tenant.keys.map((key, k) => ({ key, t, k })));
  for (const index of duplicates(allKeys, (entry) => entry.key.id)) {
    const entry = allKeys[index];
    if (entry !== undefined) {
      issues.push(issueAt(located, ['tenants', entry.t, 'keys', entry.k, 'id'], 'duplicate key id (key ids are unique across tenants)'));
    }
  }
  for (const index of duplicates(allKeys, (entry) => entry.key.hash)) {
    const entry = allKeys[index];
    if (entry !== undefined) {
      issues.push(issueAt(located, ['tenants', entry.t, 'keys', entry.k, 'hash'], 'the same key hash is listed twice'));
    }
  }
  for (const index of duplicates(doc.routes, (route) => route.id)) {
    issues.push(issueAt(located, ['routes', index, 'id'], 'duplicate route id'));
  }
  for (const index of duplicates(doc.rules, (rule) => rule.id)) {
    issues.push(issueAt(located, ['rules', index, 'id'], 'duplicate rule id'));
  }

  const tenantIds = new Set(doc.tenants.map((tenant) => tenant.id));
  const routeIds = new Set(doc.routes.map((route) => route.id));
  const checkTenants = (values: readonly string[], path: Key[]): void => {
    if (tenantIds.size === 0) return;
    values.forEach((value, index) => {
      if (value !== '*' && !tenantIds.has(value)) issues.push(issueAt(located, [...path, index], 'expected the id of a tenant listed under tenants'));
    });
  };
  for (const [name, access] of Object.entries(doc.provider_access)) checkTenants(access.tenants, ['provider_access', name, 'tenants']);
  doc.routes.forEach((route, index) => checkTenants(route.tenants, ['routes', index, 'tenants']));
  // Only when auth is switched off on purpose: then the anonymous tenant should be a real one.
  if (doc.auth.mode === 'disabled' && tenantIds.size > 0 && !tenantIds.has(doc.auth.anonymous.tenant)) {
    issues.push(issueAt(located, ['auth', 'anonymous', 'tenant'], 'expected the id of a tenant listed under tenants'));
  }

  const asList = (value: string | readonly string[] | undefined): readonly string[] =>
    value === undefined ? [] : typeof value === 'string' ? [value] : value;
  doc.rules.forEach((rule, index) => {
    const path: Key[] = ['rules', index, 'when'];
    if (routeIds.size > 0) {
      for (const value of asList(rule.when.route)) {
        if (!routeIds.has(value)) issues.push(issueAt(located, [...path, 'route'], 'expected the id of a route listed under routes'));
      }
    }
    if (tenantIds.size > 0) {
      for (const value of asList(rule.when.tenant)) {
        if (!tenantIds.has(value)) issues.push(issueAt(located, [...path, 'tenant'], 'expected the id of a tenant listed under tenants'));
      }
    }
    if (index < doc.rules.length - 1 && isCatchAll(rule.when)) {
      issues.push(issueAt(located, ['rules', index], 'this rule matches everything, so the rules after it can never apply (move it to the end)'));
    }
  });
  return issues;
}

function cedarIssues(doc: PolicyDocument, located: Located): PolicyIssue[] {
  if (doc.unmask.policies.trim() === '') return [];
  const errors = checkCedarPolicies(doc.unmask.policies);
  if (errors.length === 0) return [];
  const node = located.document.getIn(['unmask', 'policies'], true);
  const start = position(located, ['unmask', 'policies']);
  const blockScalar = isScalar(node) && (node.type === 'BLOCK_LITERAL' || node.type === 'BLOCK_FOLDED');
  const sourceLines = located.document.toString().split('\n');
  return errors.map((error) => {
    if (start === undefined || error.offset === undefined || !blockScalar) {
      return { path: 'unmask.policies', message: `Cedar: ${error.message}`, line: start?.line, column: start?.column };
    }
    // In a block scalar, line k of the text is line k+1 after the `|` header, indented.
    const before = doc.unmask.policies.slice(0, error.offset).split('\n');
    const line = start.line + before.length;
    const indent = /^ */.exec(sourceLines[line - 1] ?? '')?.[0].length ?? 0;
    return {
      path: 'unmask.policies',
      message: `Cedar: ${error.message}`,
      line,
      column: indent + (before[before.length - 1]?.length ?? 0) + 1,
    };
  });
}

/**
 * ONNX model folders are resolved against the policy file's directory and read now, so a
 * missing or malformed folder fails the load with the entry's line; the model itself is
 * loaded when the gateway starts (`prepareDetectors`).
 */
function onnxIssues(doc: PolicyDocument, located: Located, baseDir: string): PolicyIssue[] {
  const issues: PolicyIssue[] = [];
  doc.detectors.onnx.forEach((model, index) => {
    model.path = resolve(baseDir, model.path);
    try {
      sharedOnnxDetector(onnxDetectorOptions(model));
    } catch (error: unknown) {
      // The messages name the folder, the file and the problem; never file content.
      issues.push(issueAt(located, ['detectors', 'onnx', index, 'path'], error instanceof Error ? error.message : 'invalid ONNX model'));
    }
  });
  return issues;
}

/** Custom entities are validated one by one so that each error points at its own entry. */
function customIssues(doc: PolicyDocument, located: Located): PolicyIssue[] {
  const issues: PolicyIssue[] = [];
  customEntityDefinitions(doc.detectors.custom).forEach((definition, index) => {
    try {
      createCustomDetectors({ entities: [definition] });
    } catch (error: unknown) {
      // The module's messages name the entity type and the field, not matched values.
      const message =
        error instanceof Error
          ? error.message.replace(/^custom entity #1: /, '').replace(/Invalid regular expression: \/.*\/[a-z]*: /, '')
          : 'invalid custom entity';
      issues.push(issueAt(located, ['detectors', 'custom', index], message));
    }
  });
  return issues;
}

function readJwks(file: string, baseDir: string, located: Located): { jwks?: { keys: Record<string, unknown>[] }; issue?: PolicyIssue } {
  const path = resolve(baseDir, file);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error: unknown) {
    const code = (error as { code?: string }).code;
    const why = code === undefined ? 'not valid JSON' : code === 'ENOENT' ? 'no such file' : code;
    return { issue: issueAt(located, ['auth', 'jwt', 'jwks_file'], `cannot read the JWKS file (${why})`) };
  }
  const keys = (parsed as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys) || keys.some((key) => key === null || typeof key !== 'object')) {
    return { issue: issueAt(located, ['auth', 'jwt', 'jwks_file'], 'expected a JWKS file: {"keys": [ ... ]}') };
  }
  return { jwks: { keys: keys as Record<string, unknown>[] } };
}

export interface ParseOptions {
  /** Name used in messages and as `Policy.source`. */
  readonly file?: string;
  /** Directory that relative paths in the file (jwks_file) are resolved against. */
  readonly baseDir?: string;
}

/** Parses and validates policy text. Throws `PolicyError` listing every issue with line and column. */
export function parsePolicy(text: string, options: ParseOptions = {}): Policy {
  const file = options.file ?? 'veil.yaml';
  const lines = new LineCounter();
  const document = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const located: Located = { document, lines };
  if (document.errors.length > 0) {
    throw new PolicyError(
      file,
      document.errors.map((error) => {
        const pos = lines.linePos(error.pos[0]);
        // The YAML library's message may quote the line; the code says enough.
        return { path: '', message: `invalid YAML (${error.code.toLowerCase().replace(/_/g, ' ')})`, line: pos.line, column: pos.col };
      }),
    );
  }
  const raw: unknown = document.toJS() ?? {};
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new PolicyError(file, [issueAt(located, [], 'expected a mapping of sections (tenants, auth, rules, ...)')]);
  }
  const parsed = policyDocumentSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.flatMap((issue): PolicyIssue[] => {
      const path = issue.path.filter((key): key is string | number => typeof key !== 'symbol');
      if (issue.code === 'unrecognized_keys') {
        return issue.keys.map((key) => issueAt(located, path, 'unknown key', key));
      }
      return [issueAt(located, path, describeZodIssue(issue as Parameters<typeof describeZodIssue>[0]))];
    });
    throw new PolicyError(file, sortIssues(issues));
  }
  const doc = parsed.data;
  const issues = [
    ...crossCheck(doc, located),
    ...cedarIssues(doc, located),
    ...customIssues(doc, located),
    ...onnxIssues(doc, located, options.baseDir ?? process.cwd()),
  ];
  let jwks: { keys: Record<string, unknown>[] } | undefined;
  if (doc.auth.jwt?.jwks_file !== undefined) {
    const result = readJwks(doc.auth.jwt.jwks_file, options.baseDir ?? process.cwd(), located);
    if (result.issue !== undefined) issues.push(result.issue);
    jwks = result.jwks;
  }
  if (issues.length > 0) throw new PolicyError(file, sortIssues(issues));

  const known = new Set<string>([...POLICY_SECTIONS, ...FOREIGN_SECTIONS]);
  const warnings = Object.keys(raw)
    .filter((key) => !known.has(key))
    .map((key) => {
      const pos = position(located, [], key);
      return `${file}:${pos?.line ?? 1}:${pos?.column ?? 1}: unknown top-level section '${key}' is ignored by the policy`;
    });
  return compilePolicy(doc, {
    ...(options.file === undefined ? {} : { source: options.file }),
    warnings,
    ...(jwks === undefined ? {} : { jwks }),
  });
}

function sortIssues(issues: PolicyIssue[]): PolicyIssue[] {
  return issues.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
}

/** Reads and validates a policy file. Throws `PolicyError` (a `VeilError` with code `config_error`). */
export function loadPolicyFile(path: string): Policy {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error: unknown) {
    const code = (error as { code?: string }).code;
    throw new PolicyError(path, [
      { path: '', message: `cannot read the policy file (${code === 'ENOENT' ? 'no such file' : (code ?? 'read error')})`, line: undefined, column: undefined },
    ]);
  }
  return parsePolicy(text, { file: path, baseDir: dirname(resolve(path)) });
}

/**
 * The policy used when there is no file: every detected type is masked, nothing is blocked,
 * auth is off and therefore only loopback clients are served, and nobody may unmask.
 */
export function defaultPolicy(): Policy {
  const doc = policyDocumentSchema.parse({ auth: { mode: 'disabled' } });
  return compilePolicy(doc, { builtin: true });
}

/** The policy file named by `--config` or `VEIL_CONFIG`; undefined means the built-in default. */
export function policyPath(flag: string | undefined, env: Readonly<Record<string, string | undefined>>): string | undefined {
  const value = flag ?? env['VEIL_CONFIG'];
  return value === undefined || value.trim() === '' ? undefined : value;
}

/** The file's policy, or the built-in default when no file is named. */
export function loadPolicy(path: string | undefined): Policy {
  return path === undefined ? defaultPolicy() : loadPolicyFile(path);
}
