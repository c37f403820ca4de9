import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { TEXT_SCALE } from '../../core/tokens/estimate-plan-tokens.js';
import { createCl100kCounter } from '../../core/tokens/token-counter.js';
import { estimateInputTokens } from './count-tokens.js';
import { countTokensRequestSchema } from './schema.js';

const count = createCl100kCounter();
const estimate = (body: Record<string, unknown>) =>
  estimateInputTokens(countTokensRequestSchema.parse({ model: 'sonnet', ...body }), count);

const PROSE =
  'The gateway puts the Claude Code CLI behind the OpenAI and Anthropic APIs, so existing clients keep working.';
const CODE = 'export function add(a: number, b: number): number {\n  return a + b;\n}\n';

describe('count_tokens estimate', () => {
  // The counter parses its BPE ranks on the first count (about a second, several on a loaded
  // machine): do that under the hook's own timeout, so the tests time only the counting.
  beforeAll(() => {
    count('');
  }, 30_000);

  it('scales the cl100k count of every text up, never below it', () => {
    const tokens = estimate({ system: PROSE, messages: [{ role: 'user', content: CODE }] });
    expect(tokens).toBeGreaterThanOrEqual(Math.ceil((count(PROSE) + count(CODE)) * TEXT_SCALE));
  });

  it('grows with every part of the request that the model reads', () => {
    const base = { messages: [{ role: 'user', content: 'hi' }] };
    const plain = estimate(base);
    expect(estimate({ ...base, system: PROSE })).toBeGreaterThan(plain);
    const tools = [
      { name: 'get_weather', description: PROSE, input_schema: { type: 'object', properties: {} } },
    ];
    // The tool-use preamble the API adds, plus the definition itself.
    expect(estimate({ ...base, tools })).toBeGreaterThan(plain + 350);
    const history = {
      messages: [
        { role: 'user', content: 'weather?' },
        {
          role: 'assistant',
          content: [{ type: 'tool_use', id: 't1', name: 'get_weather', input: { city: 'Paris' } }],
        },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1', content: PROSE }] },
      ],
    };
    expect(estimate(history)).toBeGreaterThan(count(PROSE) * TEXT_SCALE);
  });

  it('charges images and PDF pages at the upper bound of what Claude charges', () => {
    const image = { type: 'image', source: { type: 'url', url: 'https://example.com/a.png' } };
    const twoPages = Buffer.from('%PDF-1.4 /Type /Pages /Type /Page x /Type /Page y').toString('base64');
    const pdf = {
      type: 'document',
      source: { type: 'base64', media_type: 'application/pdf', data: twoPages },
    };
    const plain = estimate({ messages: [{ role: 'user', content: [{ type: 'text', text: 'x' }] }] });
    expect(estimate({ messages: [{ role: 'user', content: [{ type: 'text', text: 'x' }, image] }] })).toBe(
      plain + 1600,
    );
    expect(estimate({ messages: [{ role: 'user', content: [{ type: 'text', text: 'x' }, pdf] }] })).toBe(
      plain + 6000,
    );
  });

  it('counts special-token text as text instead of failing', () => {
    expect(estimate({ messages: [{ role: 'user', content: '<|endoftext|>' }] })).toBeGreaterThan(0);
  });
});

describe('count_tokens on Claude Code’s own request', () => {
  // Recorded from the real CLI (`claude -p "Say hi"`) against the mock Messages API.
  const recorded = JSON.parse(
    readFileSync(path.join(import.meta.dirname, 'fixtures', 'claude-code-request.json'), 'utf8'),
  ) as Record<string, unknown>;
  /**
   * Anthropic's published tokenizer (@anthropic-ai/tokenizer 0.0.4) counted this request's system
   * text, tools and messages at 1,691 + 7,091 + 2,477 tokens; Claude 3.5 and later split text into
   * up to 1.3x more tokens than that family. The estimate must stay above that, or Claude Code
   * compacts too late.
   */
  const CLAUDE_TOKENIZER_COUNT = 1_691 + 7_091 + 2_477;

  it('stays above what Claude’s tokenizers count', () => {
    expect(estimate(recorded)).toBeGreaterThan(CLAUDE_TOKENIZER_COUNT * 1.3);
  });
});
