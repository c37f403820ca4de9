import type { Options } from '@anthropic-ai/claude-agent-sdk';
import type { OptionExtender } from './runner.js';

/**
 * Claude Code's built-in plugin that loads CLAUDE.md / AGENTS.md files (project instructions). The
 * gateway launches Claude Code with `settingSources: []`, under which that plugin finds project
 * memory off and adds nothing to the request, yet its hooks still run on every prompt, and on a
 * process's first prompt they cost ~30 ms of CPU (the `prompt.submit` hook: ~40-120 ms against ~10
 * ms on later turns, by Claude Code's `--debug-file` log). That is most of what separates a warm
 * spare's first turn from a hot turn, so it is switched off in the flag settings (`--settings`),
 * the one settings layer the gateway does give Claude Code.
 */
export const PROJECT_INSTRUCTIONS_PLUGIN = 'agents-md@builtin';

/** Every run's options with the project-instructions plugin disabled (see above). */
export const withoutProjectInstructionsPlugin: OptionExtender = (_plan, options) =>
  disableProjectInstructionsPlugin(options);

export function disableProjectInstructionsPlugin(options: Options): Options {
  // A settings file path is the caller's own choice of settings: left as it is.
  if (typeof options.settings === 'string') return options;
  const settings = options.settings ?? {};
  return {
    ...options,
    settings: {
      ...settings,
      enabledPlugins: { ...settings.enabledPlugins, [PROJECT_INSTRUCTIONS_PLUGIN]: false },
    },
  };
}
