import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Config } from '../config.js';
import type { Account } from '../contract/accounts.js';
import type { RunPlan } from '../contract/run-plan.js';
import type { AccountRouter } from '../core/accounts/account-router.js';
import { accountSignalReader } from '../core/accounts/account-signals.js';
import { createModelCatalog } from '../core/model-catalog.js';
import { createColdSource } from '../engine/cold-source.js';
import { createLaunchPlanner } from '../engine/options/plan-launch.js';
import { buildChildEnv } from '../engine/processes/child-env.js';
import { ProcessRegistry } from '../engine/processes/process-registry.js';
import { createClaudeRunner } from '../engine/runner.js';
import { GATEWAY_VERSION } from '../version.js';
import type { AccountTestOutcome } from './accounts-command.js';

const PROMPT = 'Reply with the single word OK.';
const TEST_TIMEOUT_MS = 120_000;

/**
 * `accounts test NAME`: one tiny Claude Code run under the account, as the gateway would start it,
 * in a scratch directory that is deleted afterwards. What the run says about the account goes to the
 * store like a served run's (a refused key is marked so; a working one lifts a failing backoff), and
 * a rate-limit retry ends it at once rather than waiting out `retry-after`.
 */
export async function runAccountTest(options: {
  config: Config;
  env: NodeJS.ProcessEnv;
  router: AccountRouter;
  account: Account;
}): Promise<AccountTestOutcome> {
  const { config, account } = options;
  const scratch = await mkdtemp(path.join(tmpdir(), 'claude-gateway-account-test-'));
  const configDir = path.join(scratch, 'claude');
  const workspaceDir = path.join(scratch, 'workspace');
  await Promise.all([mkdir(configDir), mkdir(workspaceDir)]);
  const processes = new ProcessRegistry({ killGraceMs: config.KILL_GRACE_MS });
  const source = createColdSource({ processes });
  const runner = createClaudeRunner({
    configDir,
    source,
    launches: createLaunchPlanner({
      executablePath: config.CLAUDE_PATH,
      env: {
        ...buildChildEnv(options.env, {
          configDir,
          maxRetries: config.CLAUDE_MAX_RETRIES,
          apiTimeoutMs: config.CLAUDE_API_TIMEOUT_MS,
          clientApp: `claude-gateway/${GATEWAY_VERSION}`,
        }),
        CLAUDE_CODE_TMPDIR: path.join(scratch, 'tmp'),
      },
      workspaceDir,
      awaitInitialize: false,
      extenders: [],
    }),
  });
  const models = createModelCatalog(config.MODELS, config.MODEL_ALIASES);
  const model = models.resolve(models.ids[0] ?? 'sonnet') ?? 'sonnet';
  const plan: RunPlan = {
    model,
    history: [],
    prompt: [{ type: 'text', text: PROMPT }],
    thinking: 'disabled',
    clientTools: [],
  };
  const stop = new AbortController();
  const timer = setTimeout(() => stop.abort(), TEST_TIMEOUT_MS);
  const reader = accountSignalReader();
  const started = performance.now();
  const elapsed = () => performance.now() - started;
  try {
    // The implicit account is the gateway's own environment, which already holds its credentials.
    const runAccount = options.router.pool.implicit ? {} : { account };
    for await (const message of runner.run(plan, stop.signal, runAccount)) {
      const seen = reader.read(message);
      if (seen) {
        await options.router.report(account, seen.signal);
        if (seen.moveOn) {
          stop.abort();
          return { ok: false, durationMs: elapsed(), reason: describeSignal(seen.signal) };
        }
      }
      if (message.type !== 'result') continue;
      if (message.subtype !== 'success')
        return { ok: false, durationMs: elapsed(), reason: message.errors.join('; ') };
      if (message.is_error) return { ok: false, durationMs: elapsed(), reason: message.result };
      const usage = message.usage;
      return {
        ok: true,
        answer: message.result,
        durationMs: elapsed(),
        costUsd: message.total_cost_usd ?? 0,
        tokens: (usage.input_tokens ?? 0) + (usage.output_tokens ?? 0),
      };
    }
    return { ok: false, durationMs: elapsed(), reason: 'Claude Code ended without an answer' };
  } catch (error) {
    const reason = stop.signal.aborted ? 'no answer within 2 minutes' : String(error);
    return { ok: false, durationMs: elapsed(), reason };
  } finally {
    clearTimeout(timer);
    await processes.terminateAll();
    await rm(scratch, { recursive: true, force: true });
  }
}

function describeSignal(signal: { kind: string; code?: string }): string {
  switch (signal.kind) {
    case 'rate-limited':
      return 'the account is rate limited or its usage is spent (marked limited until its reset)';
    case 'unauthorized':
      return `its credentials were refused (${signal.code}; marked unauthorized)`;
    case 'billing':
      return 'its credit balance is too low (marked limited)';
    default:
      return `the API could not answer (${signal.code ?? signal.kind})`;
  }
}
