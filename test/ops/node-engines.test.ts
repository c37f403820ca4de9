import { existsSync, readFileSync } from 'node:fs';
import semver from 'semver';
import { describe, expect, it } from 'vitest';

interface LockedPackage {
  version?: string;
  engines?: { node?: string };
}
const read = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
const ownRange = (read('package.json').engines as { node: string }).node;
const locked = read('package-lock.json').packages as Record<string, LockedPackage>;

/**
 * The Node versions package.json claims: the lowest release of every major line its range admits
 * (the oldest a user may run there), and the Node running the tests (what CI and this machine have).
 */
function claimedVersions(range: string): string[] {
  const lowest = semver
    .validRange(range)
    ?.split('||')
    .map((part) => semver.minVersion(part.trim())?.version)
    .filter((version): version is string => version !== undefined);
  return [...new Set([...(lowest ?? []), process.versions.node])];
}

describe('package.json engines', () => {
  it('names only Node versions every installed package accepts, so `npm ci` warns of no engine', () => {
    expect(semver.satisfies(process.versions.node, ownRange), `this Node is outside ${ownRange}`).toBe(true);
    // Only what npm installed on this platform: optional packages of other platforms are skipped
    // by npm, and so are they here.
    const installed = Object.entries(locked).filter(
      ([where, entry]) => where !== '' && entry.engines?.node !== undefined && existsSync(where),
    );
    expect(installed.length).toBeGreaterThan(100);
    const refusals: string[] = [];
    for (const version of claimedVersions(ownRange)) {
      for (const [where, entry] of installed) {
        const wants = entry.engines?.node as string;
        if (!semver.satisfies(version, wants))
          refusals.push(`Node ${version}: ${where}@${entry.version} wants ${wants}`);
      }
    }
    expect(refusals).toEqual([]);
  });
});

describe('Dockerfile', () => {
  it('builds on a Node line package.json admits', () => {
    const major = /^ARG NODE_VERSION=(\d+)$/m.exec(readFileSync('Dockerfile', 'utf8'))?.[1];
    expect(major).toBeDefined();
    expect(semver.intersects(`${major}.x`, ownRange)).toBe(true);
  });
});
