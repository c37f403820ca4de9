import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { copyTranscript, projectDirFor, removeAllSessions, removeSession } from './transcript.js';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'transcript-test-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

/** Lays out a session the way Claude Code does: transcript, side folder, image copies in its temp dir. */
async function persistedSession(dirs: { configDir: string; tmpDir: string }, cwd: string, id: string) {
  const project = projectDirFor(dirs.configDir, cwd);
  await mkdir(path.join(project, id), { recursive: true });
  await writeFile(path.join(project, `${id}.jsonl`), '{}\n');
  const images = path.join(dirs.tmpDir, 'claude-1000', cwd.replace(/[^a-zA-Z0-9]/g, '-'), id, 'images');
  await mkdir(images, { recursive: true });
  await writeFile(path.join(images, '1.png'), 'png');
}

describe('session files', () => {
  it('removeSession deletes one session everywhere Claude Code keeps it, and nothing else', async () => {
    const dirs = { configDir: path.join(root, 'claude'), tmpDir: path.join(root, 'tmp') };
    await persistedSession(dirs, '/srv/ws', 'a');
    await persistedSession(dirs, '/srv/ws', 'b');
    await removeSession(dirs, '/srv/ws', 'a');
    expect((await readdir(projectDirFor(dirs.configDir, '/srv/ws'))).sort()).toEqual(['b', 'b.jsonl']);
    expect(await readdir(path.join(dirs.tmpDir, 'claude-1000', '-srv-ws'))).toEqual(['b']);
  });

  it('removeAllSessions empties one cwd and leaves other projects alone', async () => {
    const dirs = { configDir: path.join(root, 'claude'), tmpDir: path.join(root, 'tmp') };
    await persistedSession(dirs, '/srv/ws', 'a');
    await persistedSession(dirs, '/home/me/project', 'mine');
    await removeAllSessions(dirs, '/srv/ws');
    expect(await readdir(projectDirFor(dirs.configDir, '/srv/ws'))).toEqual([]);
    expect(await readdir(path.join(dirs.tmpDir, 'claude-1000', '-srv-ws'))).toEqual([]);
    expect((await readdir(projectDirFor(dirs.configDir, '/home/me/project'))).sort()).toEqual([
      'mine',
      'mine.jsonl',
    ]);
  });

  it('copes with directories that do not exist yet', async () => {
    const dirs = { configDir: path.join(root, 'none'), tmpDir: path.join(root, 'none-tmp') };
    await expect(removeAllSessions(dirs, '/srv/ws')).resolves.toBeUndefined();
    await expect(removeSession(dirs, '/srv/ws', 'x')).resolves.toBeUndefined();
  });
});

describe('copyTranscript', () => {
  it("brings a session to another account's config dir, over an older copy there", async () => {
    const from = { configDir: path.join(root, 'account-a'), tmpDir: path.join(root, 'tmp') };
    const to = path.join(root, 'account-b');
    await persistedSession(from, '/srv/ws', 's');
    await writeFile(path.join(projectDirFor(from.configDir, '/srv/ws'), 's.jsonl'), 'latest\n');
    await mkdir(projectDirFor(to, '/srv/ws'), { recursive: true });
    await writeFile(path.join(projectDirFor(to, '/srv/ws'), 's.jsonl'), 'stale\n');

    await copyTranscript({ fromConfigDir: from.configDir, toConfigDir: to, cwd: '/srv/ws', sessionId: 's' });

    expect(await readFile(path.join(projectDirFor(to, '/srv/ws'), 's.jsonl'), 'utf8')).toBe('latest\n');
    expect((await readdir(projectDirFor(to, '/srv/ws'))).sort()).toEqual(['s', 's.jsonl']);
    // Nothing recorded where it was: nothing to copy, and no error.
    await copyTranscript({ fromConfigDir: from.configDir, toConfigDir: to, cwd: '/srv/ws', sessionId: 'x' });
  });
});
