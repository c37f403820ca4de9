import { createHash } from 'node:crypto';
import { canonicalJson } from '../../util/canonical-json.js';
import type { ClaudeLaunch } from './claude-launch.js';
import {
  eachOption,
  NO_SPARE,
  type OptionVisitor,
  type RetargetPart,
  type SpareRetarget,
} from './claude-options.js';

/** A hash of each option's part, so the environment's secrets are not kept in the key. */
function keyOf(part: OptionVisitor<unknown>): string | undefined {
  const parts: Record<string, unknown> = {};
  let servable = true;
  eachOption((name, rule) => {
    const value = part(name, rule);
    if (value === NO_SPARE) servable = false;
    parts[name] = value;
  });
  const canonical = servable ? canonicalJson(parts) : undefined;
  return canonical === undefined ? undefined : createHash('sha256').update(canonical).digest('hex');
}

/**
 * Identity of a launch for a spare started ahead of its run: undefined when no spare can serve it
 * (it continues a conversation, or holds code other than what a claimed spare is given).
 */
export function spareKey(launch: ClaudeLaunch): string | undefined {
  return keyOf((name, rule) => (rule.spare ?? identity)(launch[name]));
}

/**
 * As `spareKey`, leaving out what a started spare can still be given: launches alike but there
 * (each its own system prompt, effort, limit, client tools, ...) share one started spare.
 */
export function spareShapeKey(launch: ClaudeLaunch): string | undefined {
  return keyOf((name, rule) => {
    const value = (rule.spare ?? identity)(launch[name]);
    if (!rule.claim || value === NO_SPARE) return value;
    return rule.claim.shape?.(launch[name]);
  });
}

/** Identity of a launch for the next turn of the conversation a kept process holds. */
export function hotKey(launch: ClaudeLaunch): string | undefined {
  return keyOf((name, rule) => (rule.hot ?? identity)(launch[name]));
}

/**
 * What a spare started for `own` must be given to serve a run of `run`, when they differ only in
 * what a started process can still take; undefined when it cannot serve the run.
 */
export function planRetarget(own: ClaudeLaunch, run: ClaudeLaunch): SpareRetarget | undefined {
  const shape = spareShapeKey(run);
  if (shape === undefined || shape !== spareShapeKey(own)) return undefined;
  let retarget: SpareRetarget | undefined = { model: run.model };
  eachOption((name, rule) => {
    if (!rule.claim || !retarget) return;
    const part = rule.claim.take(own[name], run[name], run);
    retarget = part ? withPart(retarget, part) : undefined;
  });
  return retarget;
}

/** What a spare started ahead of a run launches with, `claimant` being the launch that claims it. */
export function spareLaunch(template: ClaudeLaunch, claimant: () => ClaudeLaunch | undefined): ClaudeLaunch {
  const started = { ...template };
  eachOption((name, rule) => {
    if (rule.spareStart) started[name] = rule.spareStart(template[name], () => claimant()?.[name]);
  });
  return started;
}

function identity(value: unknown): unknown {
  return value;
}

/** Adds one option's part to the retarget plan (flag settings go in one `applyFlagSettings`). */
function withPart(retarget: SpareRetarget, part: RetargetPart): SpareRetarget {
  const env = { ...retarget.flagSettings?.env, ...part.flagSettings?.env };
  const flagSettings = {
    ...retarget.flagSettings,
    ...part.flagSettings,
    ...(Object.keys(env).length > 0 ? { env } : {}),
  };
  return { ...retarget, ...part, ...(Object.keys(flagSettings).length > 0 ? { flagSettings } : {}) };
}
