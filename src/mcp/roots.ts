/**
 * The directories MCP file tools may touch. A path is checked after resolving symlinks, so a
 * link inside a root that points outside it is refused like the outside path itself.
 * @module
 */
import { lstat, realpath } from 'node:fs/promises';
import { basename, dirname, isAbsolute, resolve, sep } from 'node:path';
import { ToolError } from './tool-error.js';

export class Roots {
  private constructor(
    /** Real paths of the roots. */
    readonly directories: readonly string[],
  ) {}

  /** Resolves each root to its real path; a root that does not exist is a configuration error. */
  static async create(directories: readonly string[]): Promise<Roots> {
    const real: string[] = [];
    for (const directory of directories) {
      try {
        real.push(await realpath(resolve(directory)));
      } catch {
        throw new Error(`root ${directory} does not exist`);
      }
    }
    if (real.length === 0) throw new Error('at least one root is needed');
    return new Roots(real);
  }

  /** Relative paths are taken from the first root. */
  private absolute(path: string): string {
    return isAbsolute(path) ? path : resolve(this.directories[0] as string, path);
  }

  private contains(realPath: string): boolean {
    return this.directories.some((root) => realPath === root || realPath.startsWith(root.endsWith(sep) ? root : root + sep));
  }

  /** Real path of an existing file or directory inside a root. */
  async existing(path: string, what: 'file' | 'directory'): Promise<string> {
    let real: string;
    try {
      real = await realpath(this.absolute(path));
    } catch {
      throw new ToolError(`${what} not found: ${path}`);
    }
    if (!this.contains(real)) throw new ToolError(`${path} is outside the allowed roots (${this.directories.join(', ')})`);
    const info = await lstat(real);
    if (what === 'file' && !info.isFile()) throw new ToolError(`not a regular file: ${path}`);
    if (what === 'directory' && !info.isDirectory()) throw new ToolError(`not a directory: ${path}`);
    return real;
  }

  /** Real path for a file about to be written: its directory must exist inside a root. */
  async writable(path: string): Promise<string> {
    const absolute = this.absolute(path);
    let directory: string;
    try {
      directory = await realpath(dirname(absolute));
    } catch {
      throw new ToolError(`directory not found for ${path}`);
    }
    const target = resolve(directory, basename(absolute));
    let real = target;
    try {
      // An existing target may itself be a link out of the roots.
      real = await realpath(target);
    } catch {
      // Does not exist yet: the directory check is what counts.
    }
    if (!this.contains(directory) || !this.contains(real)) {
      throw new ToolError(`${path} is outside the allowed roots (${this.directories.join(', ')})`);
    }
    return real;
  }
}
