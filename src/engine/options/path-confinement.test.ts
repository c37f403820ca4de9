import { mkdir, mkdtemp, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isInside, pathOutside } from './path-confinement.js';

let scratch: string;
let cwd: string;

beforeAll(async () => {
  scratch = await realpath(await mkdtemp(path.join(tmpdir(), 'confinement-')));
  cwd = path.join(scratch, 'cwd');
  await mkdir(path.join(cwd, 'src'), { recursive: true });
  await mkdir(path.join(scratch, 'outside'));
  await writeFile(path.join(cwd, 'a.txt'), 'a');
  await symlink(path.join(scratch, 'outside'), path.join(cwd, 'out-dir'));
  await symlink(path.join(cwd, 'a.txt'), path.join(cwd, 'in-link.txt'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

describe('isInside', () => {
  it('accepts the root and paths below it, nothing else', () => {
    expect(isInside('/a/b', '/a/b')).toBe(true);
    expect(isInside('/a/b/c', '/a/b')).toBe(true);
    expect(isInside('/a/bc', '/a/b')).toBe(false);
    expect(isInside('/a', '/a/b')).toBe(false);
  });
});

describe('pathOutside', () => {
  it.each([
    ['a file in the cwd', () => ({ file_path: path.join(cwd, 'a.txt') })],
    ['a relative path', () => ({ file_path: 'src/new.ts' })],
    ['a file that does not exist yet', () => ({ file_path: path.join(cwd, 'src', 'deep', 'new.ts') })],
    ['a symlink that stays inside', () => ({ file_path: path.join(cwd, 'in-link.txt') })],
    ['a relative glob', () => ({ pattern: '**/*.ts' })],
    ['a glob under a subdirectory', () => ({ pattern: 'src/**/*.ts', path: cwd })],
    ['input without paths', () => ({ command: 'ls' })],
  ])('lets %s through', (_, input) => {
    expect(pathOutside(input(), cwd)).toBeUndefined();
  });

  it.each([
    ['an absolute path elsewhere', () => ({ file_path: '/etc/passwd' })],
    ['.. out of the cwd', () => ({ file_path: '../outside/x' })],
    ['.. in a part that does not exist', () => ({ file_path: path.join(cwd, 'new', '..', '..', 'x') })],
    ['a symlinked directory that leads out', () => ({ file_path: path.join(cwd, 'out-dir', 'x.txt') })],
    ['a search path outside', () => ({ pattern: 'x', path: scratch })],
    ['an absolute glob', () => ({ pattern: '/etc/**' })],
    ['a glob climbing out', () => ({ pattern: '../**/*' })],
    ['a notebook outside', () => ({ notebook_path: '/tmp/x.ipynb' })],
  ])('catches %s', (_, input) => {
    expect(pathOutside(input(), cwd)).toBeDefined();
  });
});
