import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { Ajv } from 'ajv';
import { invalidRequest } from '../../contract/errors.js';
import { FIELD_LIMITS, truncateForEcho } from '../../contract/field-limits.js';
import { GatewayError } from '../../contract/gateway-error.js';
import { parseFrontMatter } from '../../util/front-matter.js';

export interface TemplateVariable {
  name: string;
  description: string;
  required: boolean;
  default?: string;
}

/** A prompt template: Markdown with front-matter and `{{variable}}` placeholders. */
export interface PromptTemplate {
  /** The file name (`daily-knowledge-card-template.md`). */
  name: string;
  description: string;
  model?: string;
  variables: TemplateVariable[];
  /** JSON Schema the generated content must satisfy; absent: plain text. */
  outputSchema?: Record<string, unknown>;
  body: string;
}

export interface TemplateLibrary {
  list(): Promise<PromptTemplate[]>;
  /** Throws 404 for an unknown template and 400 for a name that is not a plain file name. */
  get(name: string): Promise<PromptTemplate>;
}

/** Plain file names only: no separators, no leading dot, so no name can leave the folder. */
const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
/** What reading a name that is no template file fails with (a folder named `x.md` included). */
const MISSING_FILE = new Set(['ENOENT', 'ENOTDIR', 'EISDIR', 'ENAMETOOLONG']);
const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

/** Templates read from `dir` on each call (edits apply without a restart). */
export function templateLibrary(
  dir: string,
  onSkip: (file: string, reason: string) => void,
): TemplateLibrary {
  const load = async (file: string): Promise<PromptTemplate> =>
    parseTemplate(path.basename(file), await readFile(file, 'utf8'));
  return {
    async list() {
      let names: string[];
      try {
        names = (await readdir(dir)).filter((name) => name.endsWith('.md') && NAME.test(name)).sort();
      } catch {
        return [];
      }
      const templates: PromptTemplate[] = [];
      for (const name of names) {
        try {
          templates.push(await load(path.join(dir, name)));
        } catch (error) {
          onSkip(path.join(dir, name), (error as Error).message);
        }
      }
      return templates;
    },
    async get(requested) {
      const name = requested.endsWith('.md') ? requested : `${requested}.md`;
      if (name.length > FIELD_LIMITS.templateName) {
        throw invalidRequest(
          `A template name is at most ${FIELD_LIMITS.templateName} characters.`,
          'name',
          'invalid_template_name',
        );
      }
      if (!NAME.test(name) || name.includes('..')) {
        throw invalidRequest(
          `'${truncateForEcho(requested)}' is not a template name.`,
          'name',
          'invalid_template_name',
        );
      }
      try {
        return await load(path.join(dir, name));
      } catch (error) {
        if (MISSING_FILE.has((error as NodeJS.ErrnoException).code ?? '')) throw templateNotFound(requested);
        throw error;
      }
    },
  };
}

export function parseTemplate(name: string, text: string): PromptTemplate {
  const { data, body } = parseFrontMatter(text);
  const template: PromptTemplate = {
    name,
    description: typeof data.description === 'string' ? data.description : '',
    variables: parseVariables(data.variables),
    body,
  };
  if (typeof data.model === 'string') template.model = data.model;
  const schema = data.schema ?? data.output_schema;
  if (schema !== undefined) {
    if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) {
      throw new Error('schema must be a JSON Schema object');
    }
    const ajv = new Ajv({ validateFormats: false });
    if (!ajv.validateSchema(schema)) throw new Error(`invalid schema: ${ajv.errorsText(ajv.errors)}`);
    template.outputSchema = schema as Record<string, unknown>;
  }
  return template;
}

function parseVariables(value: unknown): TemplateVariable[] {
  if (value === undefined || value === null) return [];
  const entries: Array<[string, unknown]> = Array.isArray(value)
    ? value.map((item) =>
        typeof item === 'string' ? [item, {}] : [String((item as { name?: unknown }).name ?? ''), item],
      )
    : Object.entries(value as Record<string, unknown>);
  return entries.map(([name, spec]) => {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Error(`invalid variable name '${name}'`);
    const details = typeof spec === 'object' && spec !== null ? (spec as Record<string, unknown>) : {};
    const variable: TemplateVariable = {
      name,
      description:
        typeof spec === 'string' ? spec : typeof details.description === 'string' ? details.description : '',
      required: details.required !== false && details.default === undefined,
    };
    if (details.default !== undefined) variable.default = String(details.default);
    return variable;
  });
}

/**
 * The template's text with its variables filled in. Undeclared and missing variables are the
 * client's 400, naming them; placeholders the template never declared are left as written.
 */
export function renderTemplate(template: PromptTemplate, values: Record<string, string>): string {
  const declared = new Map(template.variables.map((variable) => [variable.name, variable]));
  const undeclared = Object.keys(values).filter((name) => !declared.has(name));
  if (undeclared.length > 0) {
    throw invalidRequest(
      `Variable(s) not declared by ${template.name}: ${undeclared.join(', ')}. Declared: ${[...declared.keys()].join(', ') || 'none'}.`,
      'variables',
      'undeclared_variable',
    );
  }
  const missing = template.variables
    .filter((variable) => variable.required && values[variable.name] === undefined)
    .map((variable) => variable.name);
  if (missing.length > 0) {
    throw invalidRequest(
      `Missing variable(s) for ${template.name}: ${missing.join(', ')}.`,
      'variables',
      'missing_variable',
    );
  }
  return template.body.replace(PLACEHOLDER, (whole, name: string) => {
    if (!declared.has(name)) return whole;
    return values[name] ?? declared.get(name)?.default ?? '';
  });
}

export function templateNotFound(name: string): GatewayError {
  return new GatewayError({
    status: 404,
    kind: 'not_found',
    code: 'template_not_found',
    param: 'name',
    message: `No template named '${truncateForEcho(name)}'.`,
  });
}
