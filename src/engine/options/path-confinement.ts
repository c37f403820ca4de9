import { realpathSync } from 'node:fs';
import path from 'node:path';

/**
 * Keeps agent-mode file tools inside the run's working directory. Claude Code asks before reading
 * outside it, but not under every permission mode; this check runs on every call (a PreToolUse
 * hook), so the confinement does not depend on the mode or on Claude Code's own rules.
 */

/** Input fields through which Claude Code's file tools (Read, Write, Edit, Glob, Grep, ...) name paths. */
const PATH_FIELDS = ['file_path', 'notebook_path', 'path'] as const;
const GLOB_CHARS = /[*?[{]/;

/** `target` is `root` or below it. Both must already be absolute and free of `..`. */
export function isInside(target: string, root: string): boolean {
  const relative = path.relative(root, target);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

/**
 * The first path in a tool input that leaves `cwd` (a real path), or undefined when all stay in.
 * Paths are resolved the way the file system will: symlinks followed, `..` after them.
 */
export function pathOutside(input: unknown, cwd: string): string | undefined {
  if (input === null || typeof input !== 'object') return undefined;
  const record = input as Record<string, unknown>;
  const candidates: string[] = [];
  for (const field of PATH_FIELDS) {
    const value = record[field];
    if (typeof value === 'string' && value !== '') candidates.push(value);
  }
  if (typeof record.pattern === 'string') {
    const base = globBase(record.pattern);
    if (base !== undefined) candidates.push(base);
  }
  return candidates.find((candidate) => {
    const real = resolveReal(candidate, cwd);
    return real === undefined || !isInside(real, cwd);
  });
}

/**
 * Where a path really points: the longest existing prefix through realpath, the rest appended.
 * A `..` in the part that does not exist yet cannot be resolved safely: undefined (treated as outside).
 */
export function resolveReal(candidate: string, cwd: string): string | undefined {
  const absolute = path.isAbsolute(candidate) ? candidate : `${cwd}${path.sep}${candidate}`;
  const segments = absolute.split(path.sep);
  for (let length = segments.length; length > 0; length--) {
    const prefix = segments.slice(0, length).join(path.sep) || path.sep;
    let real: string;
    try {
      real = realpathSync.native(prefix);
    } catch {
      continue;
    }
    const rest = segments.slice(length).filter((segment) => segment !== '' && segment !== '.');
    if (rest.includes('..')) return undefined;
    return path.join(real, ...rest);
  }
  return undefined;
}

/** The directory part of a glob before its first wildcard, when it names one (`/etc/**` -> `/etc`). */
function globBase(pattern: string): string | undefined {
  const segments = pattern.split(path.sep);
  const firstWild = segments.findIndex((segment) => GLOB_CHARS.test(segment));
  const fixed = firstWild === -1 ? segments : segments.slice(0, firstWild);
  const base = fixed.join(path.sep);
  if (base === '') return pattern.startsWith(path.sep) ? path.sep : undefined;
  return base;
}
