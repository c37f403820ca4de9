import type { Query } from '@anthropic-ai/claude-agent-sdk';

/** What a claimed spare takes before its first turn, so that it serves a run started with other text. */
export interface SpareRetarget {
  /** The model the spare runs (it must already be the run's: only the system prompt changes). */
  model: string;
  systemPrompt: string;
}

interface ControlRequester {
  request(request: Record<string, unknown>): Promise<unknown>;
}

/**
 * Gives a started, idle Claude Code process the run's system prompt before its first turn. Claude
 * Code's `set_model` control request with `only_if_model_is_current: true` and a `system_prompt`
 * replaces the prompt and leaves the model alone: no API call (a plain `set_model` may probe the
 * API), and the first request carries exactly the system blocks a cold start with that prompt sends
 * (both checked at the mock). It is refused when the process does not run `model`.
 *
 * The Agent SDK's Query sends control requests through its `request` method, which its types do not
 * declare (0.3.330), so its presence is checked: without it the spare is not used and the run starts
 * cold, as it would have before.
 */
export async function retargetSpare(query: Query, retarget: SpareRetarget): Promise<void> {
  const requester = query as unknown as Partial<ControlRequester>;
  if (typeof requester.request !== 'function') {
    throw new Error('this Agent SDK cannot give a started Claude Code process another system prompt');
  }
  await requester.request.call(query, {
    subtype: 'set_model',
    model: retarget.model,
    only_if_model_is_current: true,
    system_prompt: retarget.systemPrompt,
  });
}
