import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { createInterface } from 'node:readline';

export interface Started {
  child: ChildProcess;
  /** What the process announced when it was ready (the mock's URL, the gateway's port). */
  announced: string;
  stop(): Promise<void>;
}

/** Starts a TypeScript entry point with tsx and waits for the line `ready` recognises. */
export function startTs(
  entry: string,
  env: NodeJS.ProcessEnv,
  ready: (line: string) => string | undefined,
  timeoutMs = 30_000,
): Promise<Started> {
  return startNode(['--import', 'tsx', entry], env, ready, timeoutMs);
}

/** Starts `node args…` and waits for the line `ready` recognises. */
async function startNode(
  args: string[],
  env: NodeJS.ProcessEnv,
  ready: (line: string) => string | undefined,
  timeoutMs: number,
): Promise<Started> {
  const entry = args.at(-1) ?? '';
  const child = spawn(process.execPath, args, {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (data: Buffer) => {
    stderr = (stderr + data.toString()).slice(-4096);
  });
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const announced = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${entry} did not start in time: ${stderr}`)), timeoutMs);
    lines.on('line', (line) => {
      const value = ready(line);
      if (value !== undefined) {
        clearTimeout(timer);
        resolve(value);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${entry} exited (${code}) before it was ready: ${stderr}`));
    });
  });
  return {
    child,
    announced,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

export interface GatewayProcess extends Started {
  url: string;
  dataDir: string;
}

/**
 * Starts gateways on loopback with a free port, no auth and `maxConcurrency` runs at once unless
 * `config` says otherwise; each gets its own data dir under `scratch` unless `config` sets DATA_DIR.
 * They run the build (`dist/`, built once per launcher), as `npm start` does: what users run, not
 * the sources under tsx.
 */
export function gatewayLauncher(
  baseEnv: NodeJS.ProcessEnv,
  scratch: string,
  maxConcurrency: number,
): (config: Record<string, string>) => Promise<GatewayProcess> {
  let count = 0;
  let built: Promise<void> | undefined;
  return async (config) => {
    built ??= buildGateway();
    await built;
    const dataDir = config.DATA_DIR ?? path.join(scratch, `gateway-${++count}`);
    const started = await startNode(
      ['dist/src/main.js'],
      {
        ...baseEnv,
        DATA_DIR: dataDir,
        PORT: '0',
        HOST: '127.0.0.1',
        AUTH_DISABLED: 'true',
        LOG_LEVEL: 'info',
        MAX_CONCURRENCY: String(maxConcurrency),
        ...config,
      },
      (line) => /"port":(\d+).*claude-gateway listening/.exec(line)?.[1],
      30_000,
    );
    return { ...started, url: `http://127.0.0.1:${started.announced}`, dataDir };
  };
}

/** `npm run build`: dist/ from the sources as they are now. */
async function buildGateway(): Promise<void> {
  const build = spawn(process.execPath, ['scripts/build.mjs'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  build.stderr?.on('data', (data: Buffer) => {
    stderr = (stderr + data.toString()).slice(-4096);
  });
  const [code] = (await once(build, 'exit')) as [number | null];
  if (code !== 0) throw new Error(`the gateway did not build: ${stderr}`);
}

/** Runs a bench's main: exits 0 when it is done, or prints the error and exits 1. */
export function runBench(main: () => Promise<void>): void {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      process.stderr.write(
        `bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
      process.exit(1);
    },
  );
}
