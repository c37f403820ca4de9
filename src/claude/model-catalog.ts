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

export function createModelCatalog(
  ids: readonly string[],
  aliases: Readonly<Record<string, string>> = {},
): ModelCatalog {
  const served = new Set(ids);
  return {
    ids,
    resolve(requested) {
      if (served.has(requested)) return requested;
      const target = aliases[requested];
      return target !== undefined && served.has(target) ? target : undefined;
    },
  };
}
