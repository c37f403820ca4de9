import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config.js';
import { ConfigError } from '../contract/config-error.js';
import {
  CLAUDE_CODE_ALIASES,
  claudeCodeAliases,
  createModelCatalog,
  modelAliasProblems,
  parseModelAliases,
} from './model-catalog.js';

describe('createModelCatalog', () => {
  const catalog = createModelCatalog(['sonnet', 'haiku', 'claude-sonnet-4-5'], {
    'gpt-4o': 'sonnet',
    'gpt-4o-mini': 'haiku',
  });

  it('serves its ids unchanged and maps aliases to their target', () => {
    expect(catalog.resolve('claude-sonnet-4-5')).toBe('claude-sonnet-4-5');
    expect(catalog.resolve('gpt-4o')).toBe('sonnet');
    expect(catalog.resolve('gpt-4o-mini')).toBe('haiku');
  });

  it('knows nothing else, including names every object has', () => {
    expect(catalog.resolve('gpt-4')).toBeUndefined();
    expect(catalog.resolve('constructor')).toBeUndefined();
    expect(catalog.resolve('__proto__')).toBeUndefined();
  });

  it('lists the served ids, then the aliases', () => {
    expect(catalog.ids).toEqual(['sonnet', 'haiku', 'claude-sonnet-4-5', 'gpt-4o', 'gpt-4o-mini']);
  });

  it('matches allow-lists by model: aliases, full names and MODEL_ALIASES names of one model', () => {
    const served = createModelCatalog(['sonnet', 'haiku', 'claude-sonnet-5-5', 'claude-sonnet-4-5'], {
      'gpt-4o': 'sonnet',
    });
    expect(served.allows(['sonnet'], 'claude-sonnet-5-5')).toBe(true);
    expect(served.allows(['claude-sonnet-5-5'], 'sonnet')).toBe(true);
    expect(served.allows(['claude-sonnet-5-5'], 'gpt-4o')).toBe(true);
    expect(served.allows(['gpt-4o'], 'claude-sonnet-5-5')).toBe(true);
    expect(served.allows(['sonnet'], 'claude-sonnet-4-5')).toBe(false);
    expect(served.allows(['sonnet'], 'haiku')).toBe(false);
    expect(served.allows([], 'sonnet')).toBe(false);
    expect(served.idsAllowed(['sonnet'])).toEqual(['sonnet', 'claude-sonnet-5-5', 'gpt-4o']);
    expect(served.idsAllowed(undefined)).toEqual(served.ids);
  });

  it('follows a family Claude Code was pinned to with ANTHROPIC_DEFAULT_*_MODEL', () => {
    const aliases = claudeCodeAliases({ ANTHROPIC_DEFAULT_SONNET_MODEL: 'claude-sonnet-4-5' });
    expect(aliases).toEqual({ ...CLAUDE_CODE_ALIASES, sonnet: 'claude-sonnet-4-5' });
    const pinned = createModelCatalog(['sonnet', 'claude-sonnet-5-5', 'claude-sonnet-4-5'], {}, aliases);
    expect(pinned.allows(['sonnet'], 'claude-sonnet-4-5')).toBe(true);
    expect(pinned.allows(['sonnet'], 'claude-sonnet-5-5')).toBe(false);
  });

  it('names the models it does not serve', () => {
    expect(catalog.unknown(['sonnet', 'gpt-9', 'gpt-4o', 'opus'])).toEqual(['gpt-9', 'opus']);
  });

  it('maps no OpenAI names by default', () => {
    expect(createModelCatalog(['sonnet']).resolve('gpt-4o')).toBeUndefined();
  });
});

describe('parseModelAliases', () => {
  it('reads name=model pairs, tolerating spaces and empty items', () => {
    expect(parseModelAliases(' gpt-4o = sonnet,, gpt-4o-mini=haiku ,')).toEqual({
      ok: true,
      aliases: { 'gpt-4o': 'sonnet', 'gpt-4o-mini': 'haiku' },
    });
    expect(parseModelAliases('')).toEqual({ ok: true, aliases: {} });
  });

  it('reports items that are not name=model', () => {
    expect(parseModelAliases('gpt-4o,a=b=c,=x')).toEqual({
      ok: false,
      problems: [
        "'gpt-4o' is not of the form name=model",
        "'a=b=c' is not of the form name=model",
        "'=x' is not of the form name=model",
      ],
    });
  });
});

describe('MODEL_ALIASES in the configuration', () => {
  it('is empty unless set', () => {
    expect(loadConfig({}).MODEL_ALIASES).toEqual({});
  });

  it('accepts aliases of served models', () => {
    expect(loadConfig({ MODELS: 'sonnet,haiku', MODEL_ALIASES: 'gpt-4o=sonnet' }).MODEL_ALIASES).toEqual({
      'gpt-4o': 'sonnet',
    });
  });

  it('refuses to start with an alias of a model that is not served, or a malformed one', () => {
    expect(() => loadConfig({ MODELS: 'sonnet', MODEL_ALIASES: 'gpt-4o=opus' })).toThrow(ConfigError);
    expect(() => loadConfig({ MODEL_ALIASES: 'gpt-4o' })).toThrow(/MODEL_ALIASES/);
    expect(modelAliasProblems(['sonnet'], { sonnet: 'sonnet', x: 'opus' })).toEqual([
      "alias 'sonnet' is already a served model id",
      "alias 'x' maps to 'opus', which is not in MODELS",
    ]);
  });
});
