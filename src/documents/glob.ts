/**
 * Glob patterns (`--glob`) and `.gitignore` rules, compiled to regular expressions over
 * POSIX-style relative paths. Covers what ignore files use in practice: `*`, `**`, `?`,
 * character classes, `{a,b}`, anchoring with `/`, directory-only rules and `!` negation.
 * @module
 */

function escapeRegex(char: string): string {
  return /[\\^$.*+?()[\]{}|/]/.test(char) ? `\\${char}` : char;
}

/** Regex source for a glob with no leading anchor handling. */
function globBody(glob: string): string {
  let out = '';
  for (let index = 0; index < glob.length; index++) {
    const char = glob[index] ?? '';
    if (char === '*') {
      if (glob[index + 1] === '*') {
        const atSegmentStart = index === 0 || glob[index - 1] === '/';
        const slashAfter = glob[index + 2] === '/';
        if (atSegmentStart && slashAfter) {
          out += '(?:.*/)?';
          index += 2;
        } else {
          out += '.*';
          index += 1;
        }
      } else {
        out += '[^/]*';
      }
    } else if (char === '?') {
      out += '[^/]';
    } else if (char === '[') {
      const close = glob.indexOf(']', index + 1);
      if (close === -1) {
        out += '\\[';
      } else {
        const inner = glob.slice(index + 1, close).replace(/\\/g, '\\\\');
        out += `[${inner.startsWith('!') ? `^${inner.slice(1)}` : inner}]`;
        index = close;
      }
    } else if (char === '{') {
      const close = glob.indexOf('}', index + 1);
      if (close === -1) {
        out += '\\{';
      } else {
        out += `(?:${glob.slice(index + 1, close).split(',').map(globBody).join('|')})`;
        index = close;
      }
    } else if (char === '\\' && index + 1 < glob.length) {
      out += escapeRegex(glob[index + 1] ?? '');
      index++;
    } else {
      out += escapeRegex(char);
    }
  }
  return out;
}

/**
 * A `--glob` filter. A pattern without `/` matches the file name at any depth (`*.csv`);
 * one with `/` matches the whole relative path (`src/**\/*.ts`).
 */
export function compileGlob(glob: string): (relativePath: string) => boolean {
  const pattern = glob.startsWith('./') ? glob.slice(2) : glob;
  if (!pattern.includes('/')) {
    const regex = new RegExp(`^${globBody(pattern)}$`);
    return (path) => regex.test(path.slice(path.lastIndexOf('/') + 1));
  }
  const regex = new RegExp(`^${globBody(pattern.replace(/^\//, ''))}$`);
  return (path) => regex.test(path);
}

interface IgnoreRule {
  readonly negated: boolean;
  readonly directoryOnly: boolean;
  readonly regex: RegExp;
}

/** The rules of one `.gitignore`, relative to the directory that holds it. */
export class IgnoreFile {
  private readonly rules: IgnoreRule[] = [];

  constructor(content: string) {
    for (const rawLine of content.split(/\r?\n/)) {
      let line = rawLine.replace(/(?<!\\)\s+$/, '');
      if (line === '' || line.startsWith('#')) continue;
      const negated = line.startsWith('!');
      if (negated) line = line.slice(1);
      if (line.startsWith('\\#') || line.startsWith('\\!')) line = line.slice(1);
      const directoryOnly = line.endsWith('/');
      if (directoryOnly) line = line.slice(0, -1);
      if (line === '') continue;
      // A slash anywhere but at the end anchors the pattern to this directory.
      const anchored = line.includes('/');
      const body = globBody(line.replace(/^\//, ''));
      const regex = new RegExp(anchored ? `^${body}$` : `^(?:.*/)?${body}$`);
      this.rules.push({ negated, directoryOnly, regex });
    }
  }

  /** true: ignored, false: re-included by a `!` rule, undefined: no rule matched. */
  match(relativePath: string, isDirectory: boolean): boolean | undefined {
    let result: boolean | undefined;
    for (const rule of this.rules) {
      if (rule.directoryOnly && !isDirectory) continue;
      if (rule.regex.test(relativePath)) result = !rule.negated;
    }
    return result;
  }
}
