/**
 * Scans a directory tree for personal data: which files hold what, on which lines, without
 * ever reporting a value (previews are masked). Shared by `veil scan` and the MCP
 * `scan_directory` tool.
 * @module
 */
import type { Dirent } from 'node:fs';
import { open, readdir, readFile, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { parentType } from '../core/entities.js';
import type { Veil } from '../engine.js';
import { MemoryTokenScope } from '../vault/memory-scope.js';
import { formatForPath, type DocumentFormat } from './format.js';
import { compileGlob, IgnoreFile } from './glob.js';
import { maskDocument, type DocumentEntity } from './mask-document.js';

export interface ScanOptions {
  /** Only files matching one of these globs (all files when empty). */
  readonly globs?: readonly string[];
  /** Stop after this many candidate files (the report says it was truncated). */
  readonly maxFiles?: number;
  /** Files larger than this are skipped. Default 1 MiB. */
  readonly maxBytes?: number;
  /** Honour `.gitignore` files. Default true. */
  readonly gitignore?: boolean;
  /** Findings listed per file (counts always cover all). Default 50. */
  readonly maxFindingsPerFile?: number;
  readonly onProgress?: (done: number, total: number) => void;
  readonly signal?: AbortSignal;
}

export interface ScanFinding {
  readonly type: string;
  readonly line: number;
  readonly column: number;
  /** The line with every finding on it replaced by its placeholder, shortened. */
  readonly preview: string;
}

export interface FileReport {
  /** Relative to the scanned root, `/`-separated. */
  readonly path: string;
  readonly format: DocumentFormat;
  readonly counts: Readonly<Record<string, number>>;
  readonly total: number;
  /** Weighted count; files are sorted by it. */
  readonly risk: number;
  readonly findings: readonly ScanFinding[];
}

export interface ScanReport {
  readonly root: string;
  /** Files with findings, riskiest first. */
  readonly files: FileReport[];
  readonly scannedFiles: number;
  readonly skipped: { readonly binary: number; readonly tooLarge: number; readonly unreadable: number };
  /** Files whose format did not parse (broken JSON...), scanned as plain text instead. */
  readonly scannedAsText: number;
  /** True when `maxFiles` stopped the walk early. */
  readonly truncated: boolean;
  readonly totals: Readonly<Record<string, number>>;
  readonly elapsedMs: number;
}

/** How bad a leak of one value of a type is; drives the order of the report. */
const RISK: Readonly<Record<string, number>> = {
  SECRET: 10,
  CREDIT_CARD: 9,
  SSN: 9,
  IBAN: 8,
  ACCOUNT: 8,
  MRN: 8,
  ID: 6,
  DATE: 3,
  LOCATION: 4,
  PHONE: 4,
  EMAIL: 4,
  PERSON: 4,
  IP: 2,
  URL: 1,
};

export function riskOf(type: string): number {
  return RISK[type] ?? RISK[parentType(type)] ?? 3;
}

// Version-control internals, and Veil's own data dir (the vault and its key are nobody's business).
const ALWAYS_SKIPPED = new Set(['.git', '.hg', '.svn', '.veil']);
const BINARY_SNIFF_BYTES = 8_000;
const PREVIEW_WIDTH = 120;

export interface FileList {
  readonly files: string[];
  readonly truncated: boolean;
}

/** Candidate files under `root` (absolute paths), in a stable order. Symlinks are not followed. */
export async function listFiles(root: string, options: ScanOptions = {}): Promise<FileList> {
  const matchers = (options.globs ?? []).map(compileGlob);
  const maxFiles = options.maxFiles ?? Number.POSITIVE_INFINITY;
  const useGitignore = options.gitignore ?? true;
  const files: string[] = [];
  let truncated = false;
  // Ignore files in effect, outermost first, each with the directory it applies to.
  const walk = async (directory: string, ignores: ReadonlyArray<[string, IgnoreFile]>): Promise<void> => {
    let entries: Dirent[];
    try {
      entries = await readdir(directory, { withFileTypes: true });
    } catch {
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    let active = ignores;
    if (useGitignore && entries.some((entry) => entry.name === '.gitignore' && entry.isFile())) {
      try {
        active = [...ignores, [directory, new IgnoreFile(await readFile(join(directory, '.gitignore'), 'utf8'))]];
      } catch {
        // An unreadable ignore file is treated as absent.
      }
    }
    for (const entry of entries) {
      if (truncated || options.signal?.aborted === true) return;
      const path = join(directory, entry.name);
      const isDirectory = entry.isDirectory();
      if (!isDirectory && !entry.isFile()) continue;
      if (isDirectory && ALWAYS_SKIPPED.has(entry.name)) continue;
      if (isIgnored(path, isDirectory, active)) continue;
      if (isDirectory) {
        await walk(path, active);
        continue;
      }
      const relativePath = toPosix(relative(root, path));
      if (matchers.length > 0 && !matchers.some((matches) => matches(relativePath))) continue;
      if (files.length >= maxFiles) {
        truncated = true;
        return;
      }
      files.push(path);
    }
  };
  await walk(root, []);
  return { files, truncated };
}

function isIgnored(path: string, isDirectory: boolean, ignores: ReadonlyArray<[string, IgnoreFile]>): boolean {
  let ignored = false;
  for (const [base, file] of ignores) {
    const verdict = file.match(toPosix(relative(base, path)), isDirectory);
    if (verdict !== undefined) ignored = verdict;
  }
  return ignored;
}

function toPosix(path: string): string {
  return sep === '/' ? path : path.split(sep).join('/');
}

/** A file's text, or why it is skipped. */
async function readText(path: string, maxBytes: number): Promise<string | 'binary' | 'too-large' | 'unreadable'> {
  try {
    const info = await stat(path);
    if (info.size > maxBytes) return 'too-large';
    const handle = await open(path, 'r');
    try {
      const buffer = await handle.readFile();
      if (buffer.subarray(0, BINARY_SNIFF_BYTES).includes(0)) return 'binary';
      return buffer.toString('utf8');
    } finally {
      await handle.close();
    }
  } catch {
    return 'unreadable';
  }
}

/** Masked previews of the lines that hold findings. */
function previews(source: string, entities: readonly DocumentEntity[]): Map<number, string> {
  const byLine = new Map<number, DocumentEntity[]>();
  for (const entity of entities) {
    const list = byLine.get(entity.line) ?? [];
    list.push(entity);
    byLine.set(entity.line, list);
  }
  const out = new Map<number, string>();
  for (const [line, onLine] of byLine) {
    const first = onLine[0] as DocumentEntity;
    const lineStart = first.start - (first.column - 1);
    const newline = source.indexOf('\n', lineStart);
    const lineEnd = newline === -1 ? source.length : newline;
    let text = '';
    let last = lineStart;
    let firstAt = -1;
    for (const entity of onLine) {
      text += source.slice(last, entity.start);
      if (firstAt === -1) firstAt = text.length;
      text += entity.token === undefined ? `[${entity.type}]` : `<<${entity.token}>>`;
      // A finding may run past the end of its line (an address over two lines).
      last = Math.max(entity.end, last);
      if (last > lineEnd) break;
    }
    if (last < lineEnd) text += source.slice(last, lineEnd);
    text = text.replace(/\r$/, '').replace(/\t/g, ' ');
    const from = Math.max(0, Math.min(firstAt - 20, text.length - PREVIEW_WIDTH));
    const shown = text.slice(from, from + PREVIEW_WIDTH).trim();
    out.set(line, `${from > 0 ? '…' : ''}${shown}${from + PREVIEW_WIDTH < text.length ? '…' : ''}`);
  }
  return out;
}

/** Findings in one file's text. */
export async function scanText(veil: Veil, path: string, source: string, format: DocumentFormat, maxFindings = 50): Promise<FileReport> {
  // A fresh in-memory scope per file: previews number tokens per file and nothing is kept.
  const masked = await maskDocument(veil, source, { format, scope: new MemoryTokenScope('scan') });
  const counts: Record<string, number> = {};
  let risk = 0;
  for (const entity of masked.entities) {
    counts[entity.type] = (counts[entity.type] ?? 0) + 1;
    risk += riskOf(entity.type);
  }
  const lines = previews(source, masked.entities);
  const findings = masked.entities.slice(0, maxFindings).map((entity) => ({
    type: entity.type,
    line: entity.line,
    column: entity.column,
    preview: lines.get(entity.line) ?? '',
  }));
  return { path, format, counts, total: masked.entities.length, risk, findings };
}

export async function scanTree(veil: Veil, root: string, options: ScanOptions = {}): Promise<ScanReport> {
  const started = performance.now();
  const { files, truncated } = await listFiles(root, options);
  const maxBytes = options.maxBytes ?? 1024 * 1024;
  const skipped = { binary: 0, tooLarge: 0, unreadable: 0 };
  let scannedAsText = 0;
  const reports: FileReport[] = [];
  const totals: Record<string, number> = {};
  let done = 0;
  let scanned = 0;
  // Reads overlap; detection itself is synchronous CPU work and runs one file at a time.
  const concurrency = 16;
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < files.length && options.signal?.aborted !== true) {
      const path = files[next++] as string;
      const text = await readText(path, maxBytes);
      if (text === 'binary') skipped.binary++;
      else if (text === 'too-large') skipped.tooLarge++;
      else if (text === 'unreadable') skipped.unreadable++;
      else {
        const relativePath = toPosix(relative(root, path));
        let report: FileReport | undefined;
        try {
          report = await scanText(veil, relativePath, text, formatForPath(path), options.maxFindingsPerFile);
        } catch {
          // Malformed JSON or the like: scan it as plain text rather than miss it.
          scannedAsText++;
          report = await scanText(veil, relativePath, text, 'text', options.maxFindingsPerFile);
        }
        scanned++;
        if (report.total > 0) {
          reports.push(report);
          for (const [type, count] of Object.entries(report.counts)) totals[type] = (totals[type] ?? 0) + count;
        }
      }
      done++;
      options.onProgress?.(done, files.length);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, files.length) }, worker));
  reports.sort((a, b) => b.risk - a.risk || (a.path < b.path ? -1 : 1));
  return {
    root,
    files: reports,
    scannedFiles: scanned,
    skipped,
    scannedAsText,
    truncated,
    totals,
    elapsedMs: Math.round(performance.now() - started),
  };
}
