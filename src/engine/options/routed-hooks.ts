import type { HookCallback, HookEvent, Options } from '@anthropic-ai/claude-agent-sdk';

type Hooks = NonNullable<Options['hooks']>;

/**
 * Hooks for a spare started before its run is known: the same events and matchers as `shape`, each
 * callback forwarding to the one in the same place of the hooks `route()` returns (those of the run
 * that claimed the spare). Claude Code registers hook callbacks at start-up (the SDK's `initialize`
 * request), so a started process keeps these; what they call is the claiming run's choice. Before a
 * run claims the spare, or where its hooks have nothing, a callback does nothing.
 */
export function routedHooks(shape: Hooks, route: () => Hooks | undefined): Hooks {
  const routed: Hooks = {};
  for (const [event, matchers] of Object.entries(shape) as Array<[HookEvent, Hooks[HookEvent]]>) {
    routed[event] = (matchers ?? []).map((matcher, matcherIndex) => ({
      ...matcher,
      hooks: matcher.hooks.map(
        (_callback, hookIndex): HookCallback =>
          async (input, toolUseId, context) => {
            const target = route()?.[event]?.[matcherIndex]?.hooks[hookIndex];
            return target ? target(input, toolUseId, context) : {};
          },
      ),
    }));
  }
  return routed;
}
