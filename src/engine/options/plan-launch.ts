import type { Account } from '../../contract/accounts.js';
import type { RunPlan } from '../../contract/run-plan.js';
import { continuesToolTurn } from '../client-tool-continuation.js';
import { withAccountEnv } from '../processes/claude-variables.js';
import type { ClaudeLaunch, LaunchConversation } from './claude-launch.js';

/** Adds one concern's options to a run's launch (client tools, agent mode, ...). */
export type LaunchExtender = (plan: RunPlan, launch: ClaudeLaunch) => ClaudeLaunch;

export interface LaunchSettings {
  /** Claude Code executable; undefined uses the one bundled with the Agent SDK. */
  executablePath: string | undefined;
  /** The environment of every CLI process (already filtered of gateway secrets). */
  env: Readonly<Record<string, string>>;
  /** Where plain-chat runs execute: an empty directory the gateway owns. */
  workspaceDir: string;
  /**
   * Every launch waits for the SDK's initialize request: the process source may hand a run a
   * process spawned before it (`ProcessSource.awaitsInitialize`).
   */
  awaitInitialize: boolean;
  /** Applied in order; each concern lives in its own module and is composed by the gateway. */
  extenders: readonly LaunchExtender[];
  /**
   * Applied last to a launch's environment, after a pooled account's variables: where the process's
   * API requests go (the scrub relay, which follows the upstream and proxy the environment names,
   * so nothing merged after it may change them).
   */
  routeEnv?: (env: Record<string, string>) => Record<string, string>;
}

/** Turns run plans into launches under fixed settings. */
export interface LaunchPlanner {
  /**
   * The launch of a run of `plan`; `rebuildId` is the id its history's transcript is written under
   * when the run rebuilds one (a continued session already holds it). `account`: a pooled account
   * the run goes to (absent: the gateway's own credentials).
   */
  plan(plan: RunPlan, rebuildId?: string, account?: Account): ClaudeLaunch;
  /** `launch` as it would be under `account` instead (a spare's template following the pool). */
  underAccount(launch: ClaudeLaunch, account: Account | undefined): ClaudeLaunch;
}

export function createLaunchPlanner(settings: LaunchSettings): LaunchPlanner {
  const route = settings.routeEnv ?? ((env: Record<string, string>) => env);
  // One environment per account (and one for the gateway's own credentials): launches of the same
  // account share it, and a warm key built from it stays the same for the gateway's life.
  const gatewayEnv = route({ ...settings.env });
  const accountEnvs = new WeakMap<Account, Readonly<Record<string, string>>>();
  const envOf = (account: Account | undefined): Readonly<Record<string, string>> => {
    if (!account) return gatewayEnv;
    let env = accountEnvs.get(account);
    if (!env) {
      env = route(withAccountEnv(settings.env, account.env));
      accountEnvs.set(account, env);
    }
    return env;
  };
  return {
    plan(plan, rebuildId, account) {
      const base: ClaudeLaunch = {
        // A plain chat model has no built-in tools.
        sdk: { tools: plan.agent?.tools ?? [] },
        claudeCodePath: settings.executablePath,
        env: envOf(account),
        account: account?.name,
        model: plan.model,
        cwd: plan.agent?.cwd ?? settings.workspaceDir,
        conversation: conversationOf(plan, rebuildId),
        transcriptMirror: undefined,
        systemPrompt: plan.systemPrompt ?? { placement: 'replace', text: '' },
        effort: plan.effort,
        thinking: plan.thinking,
        maxOutputTokens: plan.maxOutputTokens,
        extraBody: undefined,
        outputSchema: plan.outputSchema,
        continueInterruptedTurn: continuesToolTurn(plan),
        awaitInitialize: settings.awaitInitialize,
        inProcessServers: {},
        hooks: undefined,
        runEnv: {},
      };
      return settings.extenders.reduce((launch, extend) => extend(plan, launch), base);
    },
    underAccount: (launch, account) => ({ ...launch, env: envOf(account), account: account?.name }),
  };
}

function conversationOf(plan: RunPlan, rebuildId: string | undefined): LaunchConversation {
  const session = plan.session;
  const version = session?.version === undefined ? {} : { version: session.version };
  if (session?.continues) return { kind: 'continue', sessionId: session.id, ...version };
  if (rebuildId !== undefined)
    return { kind: 'rebuild', sessionId: rebuildId, record: session !== undefined, ...version };
  return session ? { kind: 'new', sessionId: session.id, ...version } : { kind: 'new' };
}
