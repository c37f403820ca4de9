/**
 * The models the gateway serves. Ids are what clients send; Claude Code resolves aliases such as
 * `sonnet` itself, so every id is passed through unchanged once it is known to be served.
 */
export interface ModelCatalog {
  readonly ids: readonly string[];
  /** The id to hand to Claude Code, or undefined when the gateway does not serve `requested`. */
  resolve(requested: string): string | undefined;
  /**
   * Whether a key allowed the models `allowed` may use `requested`: names of one model match each
   * other (an alias and the full name it stands for, a MODEL_ALIASES name and its target), because
   * people write `sonnet` where Claude Code, as a client, sends `claude-sonnet-5-5`.
   */
  allows(allowed: readonly string[], requested: string): boolean;
  /** The listed ids a key may use: all of them when it has no allow-list. */
  idsAllowed(allowed: readonly string[] | undefined): readonly string[];
  /** The names in `names` the gateway does not serve, so a key is never made for a model it cannot use. */
  unknown(names: readonly string[]): string[];
}

/**
 * What the bundled Claude Code resolves its family aliases to (its first-party targets); a name
 * and its target are one model to a key's allow-list. Follows the Claude Code version the gateway
 * ships with: update it with the Agent SDK.
 */
export const CLAUDE_CODE_ALIASES: Readonly<Record<string, string>> = {
  opus: 'claude-opus-5-5',
  sonnet: 'claude-sonnet-5-5',
  haiku: 'claude-haiku-5-5',
};

/**
 * The aliases as the gateway's Claude Code processes resolve them: the operator may pin a family to
 * another model with Claude Code's own ANTHROPIC_DEFAULT_{OPUS,SONNET,HAIKU}_MODEL, which the
 * processes inherit.
 */
export function claudeCodeAliases(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const aliases: Record<string, string> = { ...CLAUDE_CODE_ALIASES };
  for (const family of Object.keys(CLAUDE_CODE_ALIASES)) {
    const pinned = env[`ANTHROPIC_DEFAULT_${family.toUpperCase()}_MODEL`]?.trim();
    if (pinned) aliases[family] = pinned;
  }
  return aliases;
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
  claudeCodeAliases: Readonly<Record<string, string>> = CLAUDE_CODE_ALIASES,
): ModelCatalog {
  const served = new Set(ids);
  const aliasNames = Object.keys(aliases).filter((name) => !served.has(name));
  const listed = [...ids, ...aliasNames];
  const lookUp = (table: Readonly<Record<string, string>>, name: string) =>
    Object.hasOwn(table, name) ? table[name] : undefined;
  const resolve = (requested: string) => {
    if (served.has(requested)) return requested;
    const target = lookUp(aliases, requested);
    return target !== undefined && served.has(target) ? target : undefined;
  };
  // The one full model name every name of a model comes down to.
  const modelOf = (name: string) => {
    const id = resolve(name) ?? name;
    return lookUp(claudeCodeAliases, id) ?? id;
  };
  const allows = (allowed: readonly string[], requested: string) => {
    const model = modelOf(requested);
    return allowed.some((name) => modelOf(name) === model);
  };
  return {
    ids: listed,
    resolve,
    allows,
    idsAllowed: (allowed) => (allowed ? listed.filter((id) => allows(allowed, id)) : listed),
    unknown: (names) => names.filter((name) => resolve(name) === undefined),
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
