import { describe, expect, it } from 'vitest';
import type { RunAsk } from '../../contract/admission.js';
import { GatewayError } from '../../contract/gateway-error.js';
import type { KeyPolicy, Principal } from '../../contract/key-policy.js';
import { createKeyAdmission } from './key-admission.js';
import { KeyConcurrency } from './key-concurrency.js';

const key = (policy: KeyPolicy, id = 'key_1'): Principal => ({
  id,
  name: id,
  admin: false,
  source: 'store',
  policy,
});
const plain: RunAsk = { model: 'sonnet' };
const agent = (tools: string[] | undefined): RunAsk => ({
  model: 'sonnet',
  agent: { tools, modeParam: 'claude_code', toolsParam: 'claude_code.tools' },
});

/** Admission over a fake store: spend per key, a requests-per-minute counter, in-memory run slots. */
function setup(options: { spent?: number; rpm?: number } = {}) {
  const counted: string[] = [];
  const concurrency = new KeyConcurrency();
  const admit = createKeyAdmission({
    countRequest: async (principal) => {
      counted.push(principal.id);
      if (counted.length > (options.rpm ?? Infinity)) {
        throw new GatewayError({
          kind: 'rate_limited',
          status: 429,
          code: 'rate_limit_exceeded',
          message: 'rpm',
        });
      }
    },
    concurrency,
    spentUsd: async () => options.spent ?? 0,
  });
  return { admit, counted, concurrency };
}

const refusal = (admitting: Promise<unknown>) =>
  admitting.then(
    () => undefined,
    (error: GatewayError) => ({ status: error.status, code: error.code, param: error.param }),
  );

describe('key admission of a run', () => {
  it('admits what the key allows and holds a run slot until released, once', async () => {
    const { admit, concurrency } = setup();
    const admission = await admit(key({ models: ['sonnet'], concurrency: 2 }), plain);
    expect(concurrency.running('key_1')).toBe(1);
    admission.release();
    admission.release();
    expect(concurrency.running('key_1')).toBe(0);
  });

  it('refuses a model outside the key list', async () => {
    const { admit, concurrency } = setup();
    expect(await refusal(admit(key({ models: ['haiku'] }), plain))).toEqual({
      status: 403,
      code: 'model_not_allowed',
      param: 'model',
    });
    expect(concurrency.running('key_1')).toBe(0);
  });

  it("applies the key's agent tools in the surface's terms", async () => {
    const { admit } = setup();
    expect(await refusal(admit(key({}), agent(['Read'])))).toMatchObject({
      status: 403,
      code: 'agent_mode_not_allowed',
      param: 'claude_code',
    });
    const reader = key({ agentTools: ['Read'] });
    expect(await refusal(admit(reader, agent(['Read', 'Bash'])))).toMatchObject({
      code: 'tool_not_allowed',
      param: 'claude_code.tools',
    });
    expect(await refusal(admit(reader, agent(undefined)))).toMatchObject({
      status: 400,
      code: 'tools_required',
    });
    const native: RunAsk = {
      model: 'sonnet',
      agent: { tools: ['Bash'], modeParam: 'cwd', toolsParam: 'tools' },
    };
    expect(await refusal(admit(reader, native))).toMatchObject({ code: 'tool_not_allowed', param: 'tools' });
    expect(await refusal(admit(reader, agent(['Read'])))).toBeUndefined();
  });

  it('refuses a key whose recorded spend reached its budget', async () => {
    const { admit } = setup({ spent: 5 });
    expect(await refusal(admit(key({ budgetUsd: 5 }), plain))).toMatchObject({
      status: 429,
      code: 'insufficient_quota',
    });
    expect(await refusal(admit(key({ budgetUsd: 6 }), plain))).toBeUndefined();
  });

  it("refuses a run over the key's concurrency; another key has its own slots", async () => {
    const { admit } = setup();
    const first = await admit(key({ concurrency: 1 }), plain);
    expect(await refusal(admit(key({ concurrency: 1 }), plain))).toMatchObject({
      status: 429,
      code: 'concurrency_limit_exceeded',
    });
    expect(await refusal(admit(key({ concurrency: 1 }, 'key_2'), plain))).toBeUndefined();
    first.release();
    expect(await refusal(admit(key({ concurrency: 1 }), plain))).toBeUndefined();
  });

  it('counts only runs that came without a POST against requests per minute', async () => {
    const { admit, counted } = setup({ rpm: 1 });
    (await admit(key({}), plain)).release();
    expect(counted).toEqual([]);
    (await admit(key({}), { ...plain, countRequest: true })).release();
    expect(await refusal(admit(key({}), { ...plain, countRequest: true }))).toMatchObject({
      code: 'rate_limit_exceeded',
    });
    expect(counted).toEqual(['key_1', 'key_1']);
  });

  it('checks what the key may use before counting or taking a slot', async () => {
    const { admit, counted, concurrency } = setup();
    await refusal(admit(key({ models: ['haiku'], concurrency: 1 }), { ...plain, countRequest: true }));
    expect(counted).toEqual([]);
    expect(concurrency.running('key_1')).toBe(0);
  });
});
