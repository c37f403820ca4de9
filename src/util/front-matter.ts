import { parse } from 'yaml';

/** A Markdown file split into its YAML front-matter (an object, possibly empty) and its body. */
export interface FrontMatterDocument {
  data: Record<string, unknown>;
  body: string;
}

const FENCE = /^---\r?\n([\s\S]*?)\r?\n---[ \t]*(?:\r?\n|$)/;

/** Throws when the front-matter is not YAML or not a mapping: a broken file is the operator's to fix. */
export function parseFrontMatter(text: string): FrontMatterDocument {
  const match = FENCE.exec(text);
  if (!match) return { data: {}, body: text };
  const data: unknown = parse(match[1] ?? '');
  if (data !== null && data !== undefined && (typeof data !== 'object' || Array.isArray(data))) {
    throw new Error('front-matter is not a mapping');
  }
  return { data: (data ?? {}) as Record<string, unknown>, body: text.slice(match[0].length) };
}

/** A front-matter list given as YAML list or as a comma-separated string (`tools: Read, Grep`). */
export function stringList(value: unknown): string[] | undefined {
  if (typeof value === 'string') {
    const items = value
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean);
    return items;
  }
  if (Array.isArray(value)) return value.filter((item): item is string => typeof item === 'string');
  return undefined;
}
