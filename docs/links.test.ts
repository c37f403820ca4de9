import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

// The docs name files of this repository (links, and paths in inline code) and link to each
// other's headings. Files move; this keeps every such name pointing at something that exists.

const root = path.resolve(import.meta.dirname, '..');

/** Top-level folders whose names, at the start of a path in inline code, mean a repository file. */
const REPOSITORY_FOLDERS = [
  'src',
  'test',
  'docs',
  'bench',
  'scripts',
  'web',
  'deploy',
  'docker',
  'templates',
  '.ci',
  'compat-tests',
];
const GLOB_OR_PLACEHOLDER = /[*?<{[]/;

interface Problem {
  file: string;
  line: number;
  reference: string;
  why: string;
}

/** The text with fenced code blocks blanked (line numbers kept): their `#` lines are not headings. */
function withoutFencedCode(markdown: string): string[] {
  let fenced = false;
  return markdown.split('\n').map((line) => {
    if (/^\s*(```|~~~)/.test(line)) {
      fenced = !fenced;
      return '';
    }
    return fenced ? '' : line;
  });
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens. */
function anchorOf(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const line of withoutFencedCode(markdown)) {
    const heading = /^#{1,6}\s+(.+?)\s*#*\s*$/.exec(line)?.[1];
    if (heading === undefined) continue;
    const anchor = anchorOf(heading);
    const count = seen.get(anchor) ?? 0;
    seen.set(anchor, count + 1);
    anchors.add(count === 0 ? anchor : `${anchor}-${count}`);
  }
  return anchors;
}

function linkTargets(line: string): string[] {
  const prose = line.replace(/`[^`]*`/g, '');
  return [...prose.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)].map((match) => match[1] as string);
}

/** Paths such as `src/config.ts` or `npx tsx bench/run.ts` inside inline code. */
function repositoryPaths(line: string): string[] {
  const spans = [...line.matchAll(/`([^`]+)`/g)].map((match) => match[1] as string);
  return spans
    .flatMap((span) => span.split(/\s+/))
    .map((token) => token.replace(/^["'(]+/, '').replace(/[.,;:)"']+$/, ''))
    .filter((token) => REPOSITORY_FOLDERS.some((folder) => token.startsWith(`${folder}/`)));
}

/** The part of a path that must exist: everything before its first glob or `<placeholder>`. */
function fixedPart(repositoryPath: string): string {
  const segments = repositoryPath.split('/');
  const firstVariable = segments.findIndex((segment) => GLOB_OR_PLACEHOLDER.test(segment));
  return firstVariable === -1 ? repositoryPath : segments.slice(0, firstVariable).join('/');
}

/**
 * Problems in one Markdown file (`file` relative to `repository`): relative links to files that do
 * not exist or to headings that do not exist, and repository paths in inline code that do not exist.
 */
function checkMarkdown(repository: string, file: string, markdown: string): Problem[] {
  const problems: Problem[] = [];
  const directory = path.dirname(path.join(repository, file));
  const anchorsByFile = new Map<string, Set<string>>();
  const anchorsIn = (target: string) => {
    let anchors = anchorsByFile.get(target);
    if (anchors === undefined) {
      anchors = anchorsOf(readFileSync(target, 'utf8'));
      anchorsByFile.set(target, anchors);
    }
    return anchors;
  };
  const ownAnchors = anchorsOf(markdown);

  withoutFencedCode(markdown).forEach((line, index) => {
    const at = { file, line: index + 1 };
    for (const target of linkTargets(line)) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue;
      const [targetPath = '', anchor] = target.split('#');
      if (targetPath === '') {
        if (anchor !== undefined && !ownAnchors.has(anchor)) {
          problems.push({ ...at, reference: target, why: 'no such heading in this file' });
        }
        continue;
      }
      const resolved = path.resolve(directory, decodeURIComponent(targetPath));
      if (path.relative(repository, resolved).startsWith('..')) {
        problems.push({ ...at, reference: target, why: 'points outside the repository' });
      } else if (!existsSync(resolved)) {
        problems.push({ ...at, reference: target, why: 'no such file' });
      } else if (anchor !== undefined && resolved.endsWith('.md') && !anchorsIn(resolved).has(anchor)) {
        problems.push({ ...at, reference: target, why: `no such heading in ${path.basename(resolved)}` });
      }
    }
    for (const repositoryPath of repositoryPaths(line)) {
      if (!existsSync(path.join(repository, fixedPart(repositoryPath)))) {
        problems.push({ ...at, reference: repositoryPath, why: 'no such file in the repository' });
      }
    }
  });
  return problems;
}

function documentationFiles(): string[] {
  const pages = readdirSync(path.join(root, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => `docs/${name}`);
  return ['README.md', ...pages];
}

describe('links and file names in the docs', () => {
  it('reports a missing file, a missing heading and a missing repository path', () => {
    const sample = [
      '# Sample',
      'See [settings](configuration.md#settings), [here](#sample), and `src/config.ts`.',
      'Broken: [gone](no-such-page.md), [there](#nowhere), [deep](configuration.md#no-such-heading),',
      'and `npx tsx scripts/no-such-script.ts`, but `src/surfaces/<name>/` and `src/**/*.test.ts` are fine.',
      '```sh',
      'npx tsx bench/not-checked-inside-code-blocks.ts   # [x](nor-this.md)',
      '```',
    ].join('\n');
    const problems = checkMarkdown(root, 'docs/sample.md', sample);
    expect(problems.map(({ line, reference }) => `${line} ${reference}`)).toEqual([
      '3 no-such-page.md',
      '3 #nowhere',
      '3 configuration.md#no-such-heading',
      '4 scripts/no-such-script.ts',
    ]);
  });

  it('every link and repository path in README.md and docs/*.md exists', () => {
    const files = documentationFiles();
    expect(files.length).toBeGreaterThan(10);
    const problems = files.flatMap((file) =>
      checkMarkdown(root, file, readFileSync(path.join(root, file), 'utf8')),
    );
    expect(problems).toEqual([]);
  });
});
