import type { Options } from '@anthropic-ai/claude-agent-sdk';
import { describe, expect, it } from 'vitest';
import { disableProjectInstructionsPlugin, PROJECT_INSTRUCTIONS_PLUGIN } from './builtin-plugins.js';

describe('disableProjectInstructionsPlugin', () => {
  it('turns the project-instructions plugin off in the flag settings', () => {
    const options = disableProjectInstructionsPlugin({ model: 'sonnet' });
    expect(options).toEqual({
      model: 'sonnet',
      settings: { enabledPlugins: { [PROJECT_INSTRUCTIONS_PLUGIN]: false } },
    });
  });

  it('keeps the other settings and plugins already given', () => {
    const given: Options = {
      settings: { effortLevel: 'high', enabledPlugins: { 'formatter@tools': true } },
    };
    const options = disableProjectInstructionsPlugin(given);
    expect(options.settings).toEqual({
      effortLevel: 'high',
      enabledPlugins: { 'formatter@tools': true, [PROJECT_INSTRUCTIONS_PLUGIN]: false },
    });
    // The caller's object is not changed.
    expect(given.settings).toEqual({ effortLevel: 'high', enabledPlugins: { 'formatter@tools': true } });
  });

  it('leaves a settings file path alone', () => {
    const given: Options = { settings: '/etc/gateway/settings.json' };
    expect(disableProjectInstructionsPlugin(given)).toBe(given);
  });
});
