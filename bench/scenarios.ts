/**
 * Benchmark scenarios for the warm paths: varied system prompts against a fixed one,
 * steady arrivals, rebuilt histories against cold starts, and how long a stream stays open after
 * its last content. Each is bounded in count; the caller starts the gateways.
 */
import { randomUUID } from 'node:crypto';
import type { BenchServers } from './gateways.js';
import { waitForQuiet } from './proc-stats.js';
import { type Summary, summarize } from './stats.js';
import { type ChatMessage, type TimedChat, timedChat } from './timed-chat.js';

export interface Scenario {
  ttft: Summary;
  ttlb: Summary;
  errors: number;
}

export function scenario(samples: readonly TimedChat[]): Scenario {
  const ok = samples.filter((sample) => sample.ok);
  return {
    ttft: summarize(ok.map((sample) => sample.ttftMs)),
    ttlb: summarize(ok.map((sample) => sample.ttlbMs)),
    errors: samples.length - ok.length,
  };
}

/** After the last content: what the client waits for `[DONE]` and the end of the body. */
export function streamEnd(samples: readonly TimedChat[]): Summary {
  return summarize(
    samples.flatMap((sample) =>
      sample.ok && sample.lastContentMs !== undefined ? [sample.ttlbMs - sample.lastContentMs] : [],
    ),
  );
}

const failed = (): TimedChat => ({
  ok: false,
  status: 0,
  ttftMs: Number.NaN,
  ttlbMs: Number.NaN,
  content: '',
});

function chat(
  url: string,
  model: string,
  messages: ChatMessage[],
  extra: Record<string, unknown> = {},
): Promise<TimedChat> {
  return timedChat(url, { ...extra, model, messages }).catch(failed);
}

/**
 * New conversations with a system prompt, one fixed and one different every time, in turn (so
 * background load falls on both alike). Two fixed ones first: the warm pool follows them.
 */
export async function systemPrompts(
  url: string,
  rootPid: number,
  model: string,
  runs: number,
): Promise<{ fixed: TimedChat[]; varied: TimedChat[] }> {
  const fixedPrompt = 'You are a helpful assistant for the benchmark.';
  const ask = (system: string, text: string) =>
    chat(url, model, [
      { role: 'system', content: system },
      { role: 'user', content: `${text} ${randomUUID()}` },
    ]);
  for (let i = 0; i < 2; i++) {
    await waitForQuiet(rootPid);
    await ask(fixedPrompt, 'warm-up');
  }
  const fixed: TimedChat[] = [];
  const varied: TimedChat[] = [];
  for (let i = 0; i < runs; i++) {
    await waitForQuiet(rootPid);
    fixed.push(await ask(fixedPrompt, `fixed ${i}`));
    await waitForQuiet(rootPid);
    // A prompt no earlier request had: per-user prompts, a date in the prompt, many apps.
    varied.push(await ask(`You are assistant ${randomUUID()} for user ${i}.`, `varied ${i}`));
  }
  return { fixed, varied };
}

/** Client tools of a request: a function whose name and schema no earlier request had. */
function clientTools(i: number): Array<Record<string, unknown>> {
  const suffix = randomUUID().slice(0, 8);
  return [
    {
      type: 'function',
      function: {
        name: `lookup_${suffix}`,
        description: `Looks up record ${i}`,
        parameters: { type: 'object', properties: { [`key_${suffix}`]: { type: 'string' } } },
      },
    },
  ];
}

const EFFORTS = ['low', 'medium', 'high'] as const;

/**
 * New conversations that each carry a system prompt no earlier request had, and nothing else, or
 * client tools of their own (OpenAI function calling; the mock answers in text), or their own
 * `reasoning_effort` and `max_tokens`: `runs` of each kind, in a block per kind after two warm-ups (the warm pool
 * follows the shape of recent requests). Run on a gateway with spares and on one without.
 */
export async function variedRequests(
  url: string,
  rootPid: number,
  model: string,
  runs: number,
): Promise<{ promptOnly: TimedChat[]; tools: TimedChat[]; effortAndLimit: TimedChat[] }> {
  const ask = (i: number, extra: Record<string, unknown>) =>
    chat(
      url,
      model,
      [
        { role: 'system', content: `You are assistant ${randomUUID()} for user ${i}.` },
        { role: 'user', content: `varied ${i} ${randomUUID()}` },
      ],
      extra,
    );
  const block = async (extraFor: (i: number) => Record<string, unknown>): Promise<TimedChat[]> => {
    for (let i = 0; i < 2; i++) {
      await waitForQuiet(rootPid);
      await ask(-1 - i, extraFor(i));
    }
    const samples: TimedChat[] = [];
    for (let i = 0; i < runs; i++) {
      await waitForQuiet(rootPid);
      samples.push(await ask(i, extraFor(i)));
    }
    return samples;
  };
  // The reference: a new system prompt and nothing else.
  const promptOnly = await block(() => ({}));
  const tools = await block((i) => ({ tools: clientTools(i) }));
  const effortAndLimit = await block((i) => ({
    reasoning_effort: EFFORTS[i % EFFORTS.length],
    max_tokens: 200 + 100 * i,
  }));
  return { promptOnly, tools, effortAndLimit };
}

/**
 * New conversations arriving every `intervalMs` whether or not earlier ones have finished (each
 * streams about a second on the paced mock), `count` of them.
 */
export async function steadyArrivals(
  url: string,
  rootPid: number,
  model: string,
  intervalMs: number,
  count: number,
): Promise<TimedChat[]> {
  await waitForQuiet(rootPid);
  const runs: Array<Promise<TimedChat>> = [];
  for (let i = 0; i < count; i++) {
    // Nine words: ten deltas of the echo, a second at the paced mock's 100 ms a delta.
    runs.push(
      chat(url, model, [
        { role: 'user', content: `steady ${i} one two three four five six ${randomUUID()}` },
      ]),
    );
    if (i < count - 1) await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  return Promise.all(runs);
}

/** A history the gateway never served (2 earlier turns), rebuilt as a transcript and resumed. */
export function rebuilt(url: string, model: string, text: string): Promise<TimedChat> {
  return chat(url, model, [
    { role: 'user', content: `earlier question ${randomUUID()}` },
    { role: 'assistant', content: 'earlier answer' },
    { role: 'user', content: `${text} ${randomUUID()}` },
  ]);
}

/**
 * Rebuilt histories on a gateway with spares: on a quiet machine, and right after a new
 * conversation used the spare (so its replacement is starting while the rebuild runs). One rebuild
 * first, not counted: it shows the gateway how rebuilds are launched, so it can keep one ready.
 */
export async function rebuilds(
  url: string,
  rootPid: number,
  model: string,
  runs: number,
): Promise<{ quiet: TimedChat[]; afterSpareUse: TimedChat[] }> {
  const quiet: TimedChat[] = [];
  const afterSpareUse: TimedChat[] = [];
  await waitForQuiet(rootPid);
  await rebuilt(url, model, 'warm-up');
  for (let i = 0; i < runs; i++) {
    await waitForQuiet(rootPid);
    quiet.push(await rebuilt(url, model, `rebuild ${i}`));
    await waitForQuiet(rootPid);
    await chat(url, model, [{ role: 'user', content: `uses the spare ${randomUUID()}` }]);
    afterSpareUse.push(await rebuilt(url, model, `rebuild under refill ${i}`));
  }
  return { quiet, afterSpareUse };
}

/** Steady arrivals: [interval, requests]; about 12 s of traffic each. */
export const ARRIVALS: ReadonlyArray<readonly [number, number]> = [
  [1_000, 12],
  [500, 24],
];

/** The spare settings compared under steady arrivals, side by side in one run. */
export const ARRIVAL_SPARES: ReadonlyArray<readonly [string, string, Record<string, string>]> = [
  ['adaptive', 'adaptive spares (1–3)', { WARM_SPARES: '1', WARM_SPARES_MAX: '3' }],
  ['fixed', 'one fixed spare', { WARM_SPARES: '1', WARM_SPARES_MAX: '1' }],
];

/**
 * Steady arrivals on the paced mock at every rate of `ARRIVALS`, on a fresh gateway for each spare
 * setting of `ARRIVAL_SPARES`; keyed `<setting>Every<interval>ms`.
 */
export async function steadyArrivalsCompared(
  servers: BenchServers,
  model: string,
): Promise<Record<string, Scenario>> {
  const arrivals: Record<string, Scenario> = {};
  for (const [key, , config] of ARRIVAL_SPARES) {
    const gateway = await servers.startGateway({
      ...config,
      HOT_SESSIONS_MAX: '0',
      ANTHROPIC_BASE_URL: servers.pacedMockUrl,
    });
    try {
      const pid = gateway.child.pid as number;
      for (const [intervalMs, count] of ARRIVALS) {
        arrivals[`${key}Every${intervalMs}ms`] = scenario(
          await steadyArrivals(gateway.url, pid, model, intervalMs, count),
        );
      }
    } finally {
      await gateway.stop();
    }
  }
  return arrivals;
}

/** Table rows for `steadyArrivalsCompared`'s figures: label and key, rate by rate. */
export function arrivalRows(): Array<[label: string, key: string]> {
  return ARRIVALS.flatMap(([intervalMs]) =>
    ARRIVAL_SPARES.map(([key, label]): [string, string] => [
      `Arrivals every ${intervalMs} ms, ${label}`,
      `${key}Every${intervalMs}ms`,
    ]),
  );
}
