/**
 * Extracts the schemas the Responses and chat surfaces are checked against from an OpenAPI document
 * (OpenAI's is 3 MB of YAML; the Open Responses one is JSON) into a small JSON file the unit tests
 * read: the named root schemas and everything they reference. Run again when a document is updated:
 *
 *   npx tsx scripts/extract-openai-schemas.ts <openai-openapi.yaml> src/surfaces/openai/fixtures/openai-schemas.json
 *   npx tsx scripts/extract-openai-schemas.ts <openresponses openapi.json> src/surfaces/openai/fixtures/openresponses-schemas.json --open-responses
 *
 * The Open Responses document is public/openapi/openapi.json of github.com/openresponses/openresponses.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parse } from 'yaml';

/** OpenAI's document: the Responses objects and events, and the stored chat completion lists. */
const OPENAI_ROOTS = [
  'Response',
  'ResponseStreamEvent',
  'CreateResponse',
  'ResponseItemList',
  'CompactResource',
  'TokenCountsResource',
  'CreateChatCompletionResponse',
  'ChatCompletionList',
  'ChatCompletionDeleted',
  'ChatCompletionMessageList',
];
/** The Open Responses document: what its compliance suite validates (the response and every event). */
const OPEN_RESPONSES_ROOTS = ['ResponseResource', 'CompactResource'];

const [source, target, flag] = process.argv.slice(2);
if (!source || !target) {
  throw new Error('usage: extract-openai-schemas <openapi.yaml|json> <out.json> [--open-responses]');
}
const openResponses = flag === '--open-responses';
const spec = parse(readFileSync(source, 'utf8')) as { components: { schemas: Record<string, unknown> } };
const all = spec.components.schemas;
const roots = openResponses
  ? [...OPEN_RESPONSES_ROOTS, ...Object.keys(all).filter((name) => name.endsWith('StreamingEvent'))]
  : OPENAI_ROOTS;
const picked: Record<string, unknown> = {};
const pending = [...roots];
while (pending.length > 0) {
  const name = pending.pop();
  if (name === undefined || name in picked) continue;
  const schema = all[name];
  if (schema === undefined) throw new Error(`no schema ${name}`);
  picked[name] = schema;
  for (const match of JSON.stringify(schema).matchAll(/"#\/components\/schemas\/([^"]+)"/g)) {
    if (match[1]) pending.push(match[1]);
  }
}
const sorted = Object.fromEntries(Object.entries(picked).sort(([a], [b]) => a.localeCompare(b)));
writeFileSync(target, `${JSON.stringify({ components: { schemas: sorted } })}\n`);
console.log(`${Object.keys(sorted).length} schemas -> ${target}`);
