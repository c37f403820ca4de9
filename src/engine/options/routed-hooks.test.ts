import type { HookCallback, HookInput, Options } from '@anthropic-ai/claude-agent-sdk';
import { describe, expect, it } from 'vitest';
import { routedHooks } from './routed-hooks.js';

type Hooks = NonNullable<Options['hooks']>;

const stopInput = { hook_event_name: 'Stop', stop_hook_active: false } as unknown as HookInput;
const context = { signal: new AbortController().signal };

function answering(reason: string): HookCallback {
  return async () => ({ decision: 'block', reason });
}

describe('routedHooks', () => {
  const shape: Hooks = { Stop: [{ matcher: 'm', timeout: 5, hooks: [answering('shape')] }] };

  it('keeps events, matchers and timeouts, and calls the routed run’s callback in the same place', async () => {
    let route: Hooks | undefined;
    const hooks = routedHooks(shape, () => route);
    expect(hooks.Stop?.[0]).toMatchObject({ matcher: 'm', timeout: 5 });
    const callback = hooks.Stop?.[0]?.hooks[0];
    if (!callback) throw new Error('no routed callback');

    // Not claimed yet: nothing happens (and the shape's own callback is never called).
    expect(await callback(stopInput, undefined, context)).toEqual({});
    route = { Stop: [{ hooks: [answering('first run')] }] };
    expect(await callback(stopInput, undefined, context)).toEqual({ decision: 'block', reason: 'first run' });
    route = { Stop: [{ hooks: [answering('other run')] }] };
    expect(await callback(stopInput, undefined, context)).toEqual({ decision: 'block', reason: 'other run' });
  });

  it('does nothing where the routed hooks have no callback', async () => {
    const hooks = routedHooks(shape, () => ({ PreToolUse: [{ hooks: [answering('x')] }] }));
    expect(await hooks.Stop?.[0]?.hooks[0]?.(stopInput, undefined, context)).toEqual({});
  });
});
