import { expect, it } from 'vitest';
import { eventually, useHarness } from '../helpers/gateway-harness.js';
import { readSse } from '../helpers/sse-events.js';
import { text } from '../mock-anthropic/server.js';
import { bearer, chatBody, postJson } from '../security/http.js';
import { parsePrometheus, sampleValue } from './prometheus.js';

const KEY = 'sk-metrics-test-owner-key';
const h = useHarness({ config: { GATEWAY_API_KEYS: KEY }, resetMockBeforeEach: false });

const usage = (input: number, output: number) => ({
  usage: {
    input_tokens: input,
    output_tokens: output,
    cache_read_input_tokens: 0,
    cache_creation_input_tokens: 0,
  },
});

it('counts requests by route and status, runs, tokens, cost, latency and errors by kind', async () => {
  const chat = (body: unknown, headers: Record<string, string> = bearer(KEY)) =>
    postJson(h.origin, '/v1/chat/completions', body, headers);
  h.mock.enqueue(text('first', usage(11, 5)), text('second', usage(11, 5)), text('third one', usage(3, 2)));
  expect((await chat(chatBody('one'))).status).toBe(200);
  expect((await chat(chatBody('two'))).status).toBe(200);
  const stream = await chat(chatBody('three', { stream: true, stream_options: { include_usage: true } }));
  expect((await readSse(stream)).done).toBe(true);
  expect((await chat(chatBody(), {})).status).toBe(401);
  expect((await chat({ model: 'sonnet', messages: [] })).status).toBe(400);
  expect((await chat({ ...chatBody(), model: 'gpt-nonexistent' })).status).toBe(404);
  expect((await fetch(`${h.baseURL}/models`, { headers: bearer(KEY) })).status).toBe(200);
  expect(h.mock.requests).toHaveLength(3);
  // A run's Claude Code exits in the background after the answer: scrape once they all have, so
  // the process gauge and the registry are read in the same, settled state.
  expect(await eventually(() => h.gateway.processes.liveCount === 0, 10_000)).toBe(true);

  const scrape = await fetch(`${h.origin}/metrics`);
  expect(scrape.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  const samples = parsePrometheus(await scrape.text());
  const chatRoute = { method: 'POST', route: '/v1/chat/completions' };
  const requests = (status: string) =>
    sampleValue(samples, 'claude_gateway_http_requests_total', { ...chatRoute, status });
  expect([requests('200'), requests('401'), requests('400'), requests('404')]).toEqual([3, 1, 1, 1]);
  expect(
    sampleValue(samples, 'claude_gateway_http_requests_total', {
      method: 'GET',
      route: '/v1/models',
      status: '200',
    }),
  ).toBe(1);
  expect(sampleValue(samples, 'claude_gateway_http_request_duration_seconds_count', chatRoute)).toBe(6);

  expect(sampleValue(samples, 'claude_gateway_runs_total', { model: 'sonnet', outcome: 'ok' })).toBe(3);
  expect(sampleValue(samples, 'claude_gateway_tokens_total', { model: 'sonnet', kind: 'prompt' })).toBe(25);
  expect(sampleValue(samples, 'claude_gateway_tokens_total', { model: 'sonnet', kind: 'completion' })).toBe(
    12,
  );
  expect(sampleValue(samples, 'claude_gateway_cost_usd_total', { model: 'sonnet' })).toBeGreaterThan(0);
  expect(sampleValue(samples, 'claude_gateway_time_to_first_token_seconds_count', { model: 'sonnet' })).toBe(
    3,
  );
  expect(sampleValue(samples, 'claude_gateway_run_duration_seconds_count', { model: 'sonnet' })).toBe(3);
  expect(sampleValue(samples, 'claude_gateway_queue_wait_seconds_count')).toBe(3);

  expect(sampleValue(samples, 'claude_gateway_errors_total', { kind: 'missing_api_key' })).toBe(1);
  expect(sampleValue(samples, 'claude_gateway_errors_total', { kind: 'invalid_request_error' })).toBe(1);
  expect(sampleValue(samples, 'claude_gateway_errors_total', { kind: 'model_not_found' })).toBe(1);

  expect(sampleValue(samples, 'claude_gateway_cli_processes')).toBe(0);
  expect(h.gateway.processes.liveCount).toBe(0);
  expect(sampleValue(samples, 'claude_gateway_queue_depth', { state: 'running' })).toBe(0);
  expect(sampleValue(samples, 'claude_gateway_queue_depth', { state: 'waiting' })).toBe(0);
});
