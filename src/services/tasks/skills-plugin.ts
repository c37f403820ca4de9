import { mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** The plugin name the owner's skills are served under: the SDK names them `claude-home:<skill>`. */
export const SKILLS_PLUGIN_NAME = 'claude-home';

/**
 * Claude Code discovers skills from settings folders or plugins; the gateway loads no settings,
 * so the owner's skills reach a run as a local plugin that holds nothing but a link to
 * CLAUDE_HOME/skills (no agents, hooks, commands or MCP servers of that folder). Which of them a
 * run may use is the SDK's `skills` option, per task.
 */
export async function prepareSkillsPlugin(claudeHome: string, pluginDir: string): Promise<string> {
  await rm(pluginDir, { recursive: true, force: true });
  await mkdir(path.join(pluginDir, '.claude-plugin'), { recursive: true });
  await writeFile(
    path.join(pluginDir, '.claude-plugin', 'plugin.json'),
    JSON.stringify({ name: SKILLS_PLUGIN_NAME, description: "The gateway owner's skills (CLAUDE_HOME)." }),
  );
  await symlink(path.join(claudeHome, 'skills'), path.join(pluginDir, 'skills'), 'dir');
  return pluginDir;
}
