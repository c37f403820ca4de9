import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../contract/gateway-error.js';
import { parseTemplate, renderTemplate, templateLibrary } from './template-library.js';

const TEMPLATE = `---
description: Greets
model: haiku
variables:
  name: Who to greet
  mood:
    default: cheerful
---
Say hello to {{ name }} in a {{mood}} way. Leave {{other}} alone.
`;

describe('templates', () => {
  it('parses front-matter variables (shorthand and with defaults) and fills placeholders', () => {
    const template = parseTemplate('greet.md', TEMPLATE);
    expect(template).toMatchObject({ name: 'greet.md', description: 'Greets', model: 'haiku' });
    expect(template.variables).toEqual([
      { name: 'name', description: 'Who to greet', required: true },
      { name: 'mood', description: '', required: false, default: 'cheerful' },
    ]);
    expect(renderTemplate(template, { name: 'Ada' })).toBe(
      'Say hello to Ada in a cheerful way. Leave {{other}} alone.\n',
    );
  });

  it('names missing and undeclared variables in its 400s', () => {
    const template = parseTemplate('greet.md', TEMPLATE);
    const failure = (values: Record<string, string>) => {
      try {
        renderTemplate(template, values);
      } catch (error) {
        return error as GatewayError;
      }
      throw new Error('expected a failure');
    };
    expect(failure({})).toMatchObject({ status: 400, code: 'missing_variable', param: 'variables' });
    expect(failure({}).message).toContain('name');
    expect(failure({ name: 'x', colour: 'red' })).toMatchObject({ code: 'undeclared_variable' });
    expect(failure({ name: 'x', colour: 'red' }).message).toContain('colour');
    expect(failure({})).toBeInstanceOf(GatewayError);
  });

  it('refuses a schema that is not a JSON Schema', () => {
    expect(() => parseTemplate('x.md', '---\nschema: 3\n---\nbody')).toThrow(/schema/);
    expect(() => parseTemplate('x.md', '---\nschema: { type: 12 }\n---\nbody')).toThrow(/invalid schema/);
  });
});

describe('templateLibrary.get', () => {
  const errorOf = (promise: Promise<unknown>) =>
    promise.then(
      () => undefined,
      (error: unknown) => error,
    );

  it('answers names too long for a file name with a 400, and a folder or a missing file with a 404', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'template-library-'));
    try {
      await writeFile(path.join(dir, 'hello.md'), TEMPLATE);
      await mkdir(path.join(dir, 'folder.md'));
      const library = templateLibrary(dir, () => undefined);
      expect((await library.get('hello')).description).toBe('Greets');
      for (const length of [198, 253, 300]) {
        const tooLong = await errorOf(library.get('a'.repeat(length)));
        expect(tooLong).toMatchObject({ status: 400, code: 'invalid_template_name', param: 'name' });
        expect((tooLong as GatewayError).message.length).toBeLessThan(200);
      }
      expect(await errorOf(library.get('folder'))).toMatchObject({ status: 404, code: 'template_not_found' });
      expect(await errorOf(library.get('missing'))).toMatchObject({
        status: 404,
        code: 'template_not_found',
      });
      const odd = await errorOf(library.get(`../${'x'.repeat(150)}`));
      expect(odd).toMatchObject({ status: 400, code: 'invalid_template_name' });
      expect((odd as GatewayError).message.length).toBeLessThan(150);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
