import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The shipped `deploy/nginx.conf`, run by a real nginx in front of test gateways: its upstream
 * servers and listen port are replaced, everything else (the hash, retries, streaming) is as shipped.
 */
export interface NginxBalancer {
  readonly origin: string;
  close(): Promise<void>;
}

const SHIPPED_CONF = fileURLToPath(new URL('../../deploy/nginx.conf', import.meta.url));
const NGINX_PATHS = ['/usr/sbin/nginx', '/usr/local/sbin/nginx', '/usr/local/bin/nginx', '/usr/bin/nginx'];

export function findNginx(): string | undefined {
  return NGINX_PATHS.find((candidate) => existsSync(candidate));
}

export async function startNginxBalancer(upstreams: readonly string[]): Promise<NginxBalancer> {
  const nginx = findNginx();
  if (!nginx) throw new Error('nginx is not installed');
  const dir = await mkdtemp(path.join(tmpdir(), 'cg-nginx-'));
  const port = await freePort();
  const servers = upstreams.map(
    (origin) => `    server ${new URL(origin).host} max_fails=2 fail_timeout=10s;`,
  );
  const shipped = await readFile(SHIPPED_CONF, 'utf8');
  const site = shipped
    .replace(/^ {4}server gateway-a:8080[^\n]*\n {4}server gateway-b:8080[^\n]*$/m, servers.join('\n'))
    .replace('listen 8080;', `listen 127.0.0.1:${port};`);
  if (site.includes('gateway-a:8080')) throw new Error('deploy/nginx.conf: its upstream servers moved');
  await writeFile(path.join(dir, 'site.conf'), site);
  // What the image's /etc/nginx/nginx.conf provides around conf.d, with every path in `dir`.
  await writeFile(
    path.join(dir, 'nginx.conf'),
    [
      'worker_processes 1;',
      `pid ${dir}/nginx.pid;`,
      `error_log ${dir}/error.log warn;`,
      'events { worker_connections 256; }',
      'http {',
      `  access_log off;`,
      ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map(
        (name) => `  ${name}_temp_path ${dir}/${name}_temp;`,
      ),
      `  include ${dir}/site.conf;`,
      '}',
    ].join('\n'),
  );
  const child = spawn(nginx, ['-p', dir, '-c', path.join(dir, 'nginx.conf'), '-g', 'daemon off;'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const origin = `http://127.0.0.1:${port}`;
  await waitUntilListening(child, port, () => stderr);
  return {
    origin,
    async close() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function waitUntilListening(child: ChildProcess, port: number, stderr: () => string): Promise<void> {
  for (let tries = 0; tries < 100; tries++) {
    if (child.exitCode !== null) throw new Error(`nginx exited: ${stderr()}`);
    const reached = await fetch(`http://127.0.0.1:${port}/`).then(
      () => true,
      () => false,
    );
    if (reached) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  child.kill('SIGKILL');
  throw new Error(`nginx did not listen on ${port}: ${stderr()}`);
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}
