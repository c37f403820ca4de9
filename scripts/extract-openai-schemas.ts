/**
 * Extracts the schemas the Responses surface is checked against from OpenAI's OpenAPI document
 * (3 MB of YAML) into a small JSON file the unit tests read: the named schemas and everything
 * they reference. Run again when the document is updated:
 *
 *   npx tsx scripts/extract-openai-schemas.ts <openai-openapi.yaml> src/surfaces/openai-responses/fixtures/openai-schemas.json
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parse } from 'yaml';

const ROOTS = ['Response', 'ResponseStreamEvent', 'CreateResponse'];
const [source, target] = process.argv.slice(2);
if (!source || !target) throw new Error('usage: extract-openai-schemas <openapi.yaml> <out.json>');

const spec = parse(readFileSync(source, 'utf8')) as { components: { schemas: Record<string, unknown> } };
const all = spec.components.schemas;
const picked: Record<string, unknown> = {};
const pending = [...ROOTS];
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
