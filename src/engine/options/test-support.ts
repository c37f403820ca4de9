import type { RunPlan } from '../../contract/run-plan.js';
import type { ClaudeLaunch } from './claude-launch.js';
import { createLaunchPlanner, type LaunchExtender } from './plan-launch.js';

/** A plan for a new untracked plain chat; `extra` changes it. */
export function testPlan(extra: Partial<RunPlan> = {}): RunPlan {
  return {
    model: 'sonnet',
    history: [],
    prompt: [{ type: 'text', text: 'hi' }],
    thinking: 'disabled',
    clientTools: [],
    ...extra,
  };
}

/** The launch the gateway would plan for `plan` (by default a new plain chat), with `extenders` applied. */
export function testLaunch(
  plan: RunPlan = testPlan(),
  extenders: readonly LaunchExtender[] = [],
  env: Record<string, string> = { PATH: '/bin', ANTHROPIC_API_KEY: 'secret' },
): ClaudeLaunch {
  return createLaunchPlanner({
    executablePath: undefined,
    env,
    workspaceDir: '/work',
    awaitInitialize: false,
    extenders,
  }).plan(plan);
}
