/**
 * `npx tsx bench/relay-overhead.ts`: what the scrubbing relay (SCRUB_UPSTREAM_ENVIRONMENT) adds to one
 * API call. A stand-in upstream answers a Messages request with a streamed answer (headers, a first
 * event, the rest 20 ms later); requests alternate between going to it directly and through the relay,
 * and each measures the first byte and the whole answer. Bodies: a recorded chat turn (2 KB, with the
 * environment block) and a long conversation (~400 KB of turns).
 *
 *   npx tsx bench/relay-overhead.ts [-- --rounds 200]
 */
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import recorded from '../src/engine/upstream/fixtures/claude-code-requests.json' with { type: 'json' };
import { startScrubRelay } from '../src/engine/upstream/scrub-relay.js';
import { formatSummary, summarize } from './stats.js';

const { values: args } = parseArgs({ options: { rounds: { type: 'string', default: '200' } } });
const ROUNDS = Math.max(10, Number(args.rounds) || 200);

const upstream = createServer((req, res) => {
  req.resume();
  req.once('end', () => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write('event: message_start\ndata: {}\n\n');
    setTimeout(() => res.end('event: message_stop\ndata: {}\n\n'), 20);
  });
});
upstream.listen(0, '127.0.0.1');
await once(upstream, 'listening');
const direct = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
const relay = await startScrubRelay({
  ownDirectories: ['/var/lib/claude-gateway'],
  logger: console,
});
const relayed = relay.baseUrlFor({ upstream: direct, proxy: {} });

const chat = JSON.stringify(recorded['chat-turn']);
const turns = Array.from({ length: 400 }, (_, i) => ({
  role: i % 2 ? 'assistant' : 'user',
  content: [{ type: 'text', text: 'x'.repeat(1000) }],
}));
const long = JSON.stringify({
  ...recorded['chat-turn'],
  messages: [...turns, ...recorded['chat-turn'].messages],
});

async function call(base: string, body: string): Promise<{ firstByte: number; total: number }> {
  const started = performance.now();
  const response = await fetch(`${base}/v1/messages?beta=true`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': 'k' },
    body,
  });
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  await reader.read();
  const firstByte = performance.now() - started;
  while (!(await reader.read()).done) {}
  return { firstByte, total: performance.now() - started };
}

for (const [name, body] of [
  ['chat turn (2 KB)', chat],
  ['long conversation (400 KB)', long],
] as const) {
  const times = {
    direct: [] as number[],
    relay: [] as number[],
    directTotal: [] as number[],
    relayTotal: [] as number[],
  };
  for (let round = 0; round < ROUNDS; round++) {
    const a = await call(direct, body);
    const b = await call(relayed, body);
    times.direct.push(a.firstByte);
    times.relay.push(b.firstByte);
    times.directTotal.push(a.total);
    times.relayTotal.push(b.total);
  }
  console.log(`${name}, ${ROUNDS} rounds`);
  console.log(`  first byte direct   ${formatSummary(summarize(times.direct))}`);
  console.log(`  first byte relayed  ${formatSummary(summarize(times.relay))}`);
  console.log(`  whole answer direct  ${formatSummary(summarize(times.directTotal))}`);
  console.log(`  whole answer relayed ${formatSummary(summarize(times.relayTotal))}`);
}
await relay.close();
upstream.close();
