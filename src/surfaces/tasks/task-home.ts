import type { ClaudeHomeCatalog } from '../../services/tasks/claude-home.js';
import type { TaskHome } from './to-plan.js';

/** What CLAUDE_HOME offers a task right now; nothing when it is not configured. */
export async function loadTaskHome(catalog?: ClaudeHomeCatalog, skillsPluginDir?: string): Promise<TaskHome> {
  if (!catalog) return { agents: [], skills: [] };
  return {
    agents: await catalog.agents(),
    skills: await catalog.skills(),
    ...(skillsPluginDir ? { skillsPluginDir } : {}),
  };
}
