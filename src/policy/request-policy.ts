import { ANY_TOOL, type KeyPolicy } from './key-policy.js';
import {
  agentModeNotAllowed,
  agentToolNotAllowed,
  agentToolsRequired,
  budgetExhausted,
  modelNotAllowed,
} from './policy-errors.js';

/**
 * Checks what a key asks for against what it may do. Reads the raw JSON body, before the route's own
 * validation: a malformed body is the route's 400 to give, so fields of the wrong type are skipped.
 * Throws the GatewayError the client should get.
 */
export function checkRequestPolicy(policy: KeyPolicy, body: unknown): void {
  if (!isRecord(body)) return;
  if (policy.models && typeof body.model === 'string' && !policy.models.includes(body.model)) {
    throw modelNotAllowed(body.model);
  }
  const agent = body.claude_code;
  if (agent === undefined || agent === null) return;
  const requested = isRecord(agent) ? agent.tools : undefined;
  admitAgentTools(
    policy,
    Array.isArray(requested) ? requested.filter((tool) => typeof tool === 'string') : undefined,
    { mode: 'claude_code', tools: 'claude_code.tools' },
  );
}

/**
 * The key's word on an agent run's tools, for every surface (`params` name the fields in the
 * surface's terms). `requested` undefined: the run asks for every tool, which only an any-tool key may.
 */
export function admitAgentTools(
  policy: KeyPolicy,
  requested: readonly string[] | undefined,
  params: { mode: string; tools: string },
): void {
  const allowed = policy.agentTools;
  if (!allowed) throw agentModeNotAllowed(params.mode);
  if (allowed.includes(ANY_TOOL)) return;
  if (requested === undefined) throw agentToolsRequired(allowed, params.tools);
  for (const tool of requested) {
    if (!allowed.includes(tool)) throw agentToolNotAllowed(tool, allowed, params.tools);
  }
}

/** The key's word on a model, for surfaces whose body does not carry it as `model`. */
export function admitModel(policy: KeyPolicy, model: string): void {
  if (policy.models && !policy.models.includes(model)) throw modelNotAllowed(model);
}

/** Over budget once the recorded spend reaches it; a run in flight may overshoot by its own cost. */
export function checkBudget(policy: KeyPolicy, spentUsd: number): void {
  if (policy.budgetUsd !== undefined && spentUsd >= policy.budgetUsd) throw budgetExhausted(policy.budgetUsd);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
