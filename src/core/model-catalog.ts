/**
 * The models the gateway serves. Ids are what clients send; Claude Code resolves aliases such as
 * `sonnet` itself, so every id is passed through unchanged once it is known to be served.
 */
export interface ModelCatalog {
  readonly ids: readonly string[];
  /** The id to hand to Claude Code, or undefined when the gateway does not serve `requested`. */
  resolve(requested: string): string | undefined;
}

export const DEFAULT_MODEL_IDS = [
  'sonnet',
  'opus',
  'haiku',
  'claude-opus-5-5',
  'claude-sonnet-5-5',
  'claude-haiku-5-5',
  'claude-opus-5',
  'claude-sonnet-5',
  'claude-opus-4-8',
  'claude-opus-4-7',
  'claude-opus-4-6',
  'claude-sonnet-4-6',
  'claude-sonnet-4-5',
  'claude-haiku-4-5',
] as const;

/**
 * @param ids the model ids served as they are (Claude Code resolves aliases such as `sonnet`).
 * @param aliases extra names mapped to one of `ids`, e.g. `{ 'gpt-4o': 'sonnet' }` for clients that
 *   hard-code OpenAI model names; they are listed and accepted like any served id.
 */
export function createModelCatalog(
  ids: readonly string[],
  aliases: Readonly<Record<string, string>> = {},
): ModelCatalog {
  const served = new Set(ids);
  const aliasNames = Object.keys(aliases).filter((name) => !served.has(name));
  return {
    ids: [...ids, ...aliasNames],
    resolve(requested) {
      if (served.has(requested)) return requested;
      const target = Object.hasOwn(aliases, requested) ? aliases[requested] : undefined;
      return target !== undefined && served.has(target) ? target : undefined;
    },
  };
}

export type ParsedAliases = { ok: true; aliases: Record<string, string> } | { ok: false; problems: string[] };

/** Parses `gpt-4o=sonnet, gpt-4o-mini=haiku`. */
export function parseModelAliases(text: string): ParsedAliases {
  const aliases: Record<string, string> = {};
  const problems: string[] = [];
  for (const item of text.split(',').map((part) => part.trim())) {
    if (!item) continue;
    const [name, target, ...rest] = item.split('=').map((part) => part.trim());
    if (!name || !target || rest.length > 0) problems.push(`'${item}' is not of the form name=model`);
    else aliases[name] = target;
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, aliases };
}

/** Aliases that could never work: their target is not served, or the name is itself a served id. */
export function modelAliasProblems(
  ids: readonly string[],
  aliases: Readonly<Record<string, string>>,
): string[] {
  const served = new Set(ids);
  return Object.entries(aliases).flatMap(([name, target]) => [
    ...(served.has(target) ? [] : [`alias '${name}' maps to '${target}', which is not in MODELS`]),
    ...(served.has(name) ? [`alias '${name}' is already a served model id`] : []),
  ]);
}
