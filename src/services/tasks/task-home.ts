import type { ClaudeHomeCatalog } from './claude-home.js';
import type { TaskHome } from './plan-task.js';

/** What CLAUDE_HOME offers a task right now; nothing when it is not configured. */
export async function loadTaskHome(catalog?: ClaudeHomeCatalog, skillsPluginDir?: string): Promise<TaskHome> {
  if (!catalog) return { agents: [], skills: [] };
  return {
    agents: await catalog.agents(),
    skills: await catalog.skills(),
    ...(skillsPluginDir ? { skillsPluginDir } : {}),
  };
}
