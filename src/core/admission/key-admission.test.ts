import { describe, expect, it } from 'vitest';
import type { RunAsk } from '../../contract/admission.js';
import type { GatewayError } from '../../contract/gateway-error.js';
import type { KeyPolicy, Principal } from '../../contract/key-policy.js';
import { RequestsPerMinuteExceeded } from '../../contract/policy-errors.js';
import { createModelCatalog, DEFAULT_MODEL_IDS } from '../model-catalog.js';
import { createKeyAdmission } from './key-admission.js';
import { KeyConcurrency } from './key-concurrency.js';
import { memoryRateWindow, RPM_WINDOW_MS, requestsPerMinute } from './requests-per-minute.js';

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

const START = 1_700_000_000_000;

/** Admission over a fixed spend per key, the in-memory rpm window (counting its hits) and run slots. */
function setup(options: { spent?: number } = {}) {
  const counted: string[] = [];
  const window = memoryRateWindow(RPM_WINDOW_MS, () => START);
  const concurrency = new KeyConcurrency();
  const admit = createKeyAdmission({
    models: createModelCatalog(DEFAULT_MODEL_IDS),
    requestsPerMinute: requestsPerMinute(
      {
        increment: (id) => {
          counted.push(id);
          return window.increment(id);
        },
      },
      () => START + 15_000,
    ),
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

  it('counts every run of a limited key, says where it stands, and refuses past the limit', async () => {
    const { admit, counted, concurrency } = setup();
    const limited = key({ rpm: 2 });
    const first = await admit(limited, plain);
    expect(first.requestsPerMinute).toEqual({ limit: 2, remaining: 1, resetAt: START + RPM_WINDOW_MS });
    first.release();
    expect((await admit(limited, plain)).requestsPerMinute).toMatchObject({ remaining: 0 });
    const refused = await admit(limited, plain).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(RequestsPerMinuteExceeded);
    const exceeded = refused as RequestsPerMinuteExceeded;
    expect(exceeded).toMatchObject({ status: 429, code: 'rate_limit_exceeded', retryAfterSeconds: 45 });
    expect(exceeded.standing).toEqual({ limit: 2, remaining: 0, resetAt: START + RPM_WINDOW_MS });
    expect(counted).toEqual(['key_1', 'key_1', 'key_1']);
    // The refused run gave back the slot it had taken.
    expect(concurrency.running('key_1')).toBe(1);
  });

  it('does not count keys without a limit', async () => {
    const { admit, counted } = setup();
    const admission = await admit(key({}), plain);
    expect(admission.requestsPerMinute).toBeUndefined();
    expect(counted).toEqual([]);
  });

  it('counts a run only once nothing else refused it', async () => {
    const { admit, counted, concurrency } = setup({ spent: 5 });
    await refusal(admit(key({ models: ['haiku'], rpm: 1 }), plain));
    await refusal(admit(key({ budgetUsd: 5, rpm: 1 }), plain));
    expect(counted).toEqual([]);
    expect(concurrency.running('key_1')).toBe(0);
    const busy = await admit(key({ concurrency: 1, rpm: 5 }), plain);
    await refusal(admit(key({ concurrency: 1, rpm: 5 }), plain));
    expect(counted).toEqual(['key_1']);
    busy.release();
  });
});

describe('the in-memory requests-per-minute window', () => {
  it('opens at the first hit and starts over once a minute has passed', async () => {
    let now = START;
    const window = memoryRateWindow(RPM_WINDOW_MS, () => now);
    expect(await window.increment('a')).toEqual({ totalHits: 1, resetTime: new Date(START + RPM_WINDOW_MS) });
    now += 30_000;
    expect((await window.increment('a')).totalHits).toBe(2);
    expect((await window.increment('b')).totalHits).toBe(1);
    now = START + RPM_WINDOW_MS;
    expect(await window.increment('a')).toEqual({ totalHits: 1, resetTime: new Date(now + RPM_WINDOW_MS) });
  });
});
