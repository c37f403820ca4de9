import { createHash } from 'node:crypto';
import type { SpawnOptions } from '@anthropic-ai/claude-agent-sdk';
import { canonicalJson } from '../../util/canonical-json.js';
import { flagsCarriedByInitialize } from '../options/claude-options.js';

/** The launch flag that names the conversation a spare serves. */
export type IdFlag = '--session-id' | '--resume';

const AWAIT_INITIALIZE = '--await-initialize';
/** Launches that continue a conversation: a process started for one can serve no other run. */
const CONVERSATION_FLAGS = ['--resume', '--continue', '--fork-session'];
/** The id a new session is recorded under: each spare has its own (see `promiseSessionId`). */
export const SESSION_ID: IdFlag = '--session-id';
export const SESSION_PLACEHOLDER = '<session-id>';

/**
 * Identity of a launch, for handing a pre-spawned process to a run: undefined for a launch that
 * does not wait for `initialize` (its options are already fixed) or that names a conversation
 * (other than through `idFlag`, whose value is a placeholder by now). A hash, so the environment's
 * secrets are not kept in the key.
 */
export function launchKey(
  options: Omit<SpawnOptions, 'signal'>,
  idFlag: IdFlag = SESSION_ID,
): string | undefined {
  const { args } = options;
  if (!args.includes(AWAIT_INITIALIZE)) return undefined;
  const fixed = CONVERSATION_FLAGS.filter((flag) => flag !== idFlag);
  if (args.some((arg) => fixed.some((flag) => arg === flag || arg.startsWith(`${flag}=`)))) {
    return undefined;
  }
  const canonical = canonicalJson({
    command: options.command,
    args,
    cwd: options.cwd ?? null,
    env: Object.fromEntries(Object.entries(options.env).filter(([, value]) => value !== undefined)),
  });
  return canonical === undefined ? undefined : createHash('sha256').update(canonical).digest('hex');
}

/** The arguments with the session id (the value of `flag`) as a placeholder, and that id. */
export function withoutSessionId(
  args: readonly string[],
  flag: IdFlag = SESSION_ID,
): { args: string[]; sessionId: string | undefined } {
  // The SDK writes `--session-id=<id>` (and `--resume=<id>`); the two-argument form is accepted too.
  const joined = args.findIndex((arg) => arg.startsWith(`${flag}=`));
  if (joined >= 0) {
    const sessionId = (args[joined] as string).slice(flag.length + 1);
    const placeholder = `${flag}=${SESSION_PLACEHOLDER}`;
    return { args: args.map((arg, i) => (i === joined ? placeholder : arg)), sessionId };
  }
  const at = args.indexOf(flag);
  const value = at >= 0 ? args[at + 1] : undefined;
  if (value === undefined) return { args: [...args], sessionId: undefined };
  return { args: args.map((arg, i) => (i === at + 1 ? SESSION_PLACEHOLDER : arg)), sessionId: value };
}

/**
 * The arguments without those the initialize request carries too (only under --await-initialize):
 * dropping them lets one launch serve every value.
 */
export function withoutInitializeArgs(args: readonly string[]): string[] {
  if (!args.includes(AWAIT_INITIALIZE)) return [...args];
  const carried = flagsCarriedByInitialize();
  const kept: string[] = [];
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i] as string;
    if (carried.includes(arg)) {
      i += 1;
      continue;
    }
    if (carried.some((flag) => arg.startsWith(`${flag}=`))) continue;
    kept.push(arg);
  }
  return kept;
}
