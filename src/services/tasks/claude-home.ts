import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseFrontMatter, stringList } from '../../util/front-matter.js';

/** A subagent the owner defined in CLAUDE_HOME/agents/NAME.md. */
export interface HomeAgent {
  name: string;
  description: string;
  tools?: string[];
  model?: string;
  /** The agent's system prompt (the file's body). */
  prompt: string;
}

/** A skill the owner defined in CLAUDE_HOME/skills/NAME/SKILL.md. */
export interface HomeSkill {
  name: string;
  description: string;
  tools?: string[];
  model?: string;
  /** The skill's folder (SKILL.md and whatever it refers to). */
  dir: string;
}

export interface ClaudeHomeCatalog {
  agents(): Promise<HomeAgent[]>;
  skills(): Promise<HomeSkill[]>;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/**
 * Reads only the subagents and skills of the owner's Claude home, on every call (edits show up
 * without a restart). Settings, hooks, MCP servers and CLAUDE.md in that folder are never read.
 * A file that cannot be parsed is skipped and reported, so one broken file does not hide the rest.
 */
export function claudeHomeCatalog(
  home: string,
  onSkip: (file: string, reason: string) => void,
): ClaudeHomeCatalog {
  return {
    async agents() {
      const dir = path.join(home, 'agents');
      const found: HomeAgent[] = [];
      for (const entry of await entries(dir)) {
        if (!entry.isFile() || !entry.name.endsWith('.md')) continue;
        const file = path.join(dir, entry.name);
        try {
          const { data, body } = parseFrontMatter(await readFile(file, 'utf8'));
          const name = typeof data.name === 'string' ? data.name : entry.name.slice(0, -3);
          if (!NAME.test(name)) throw new Error(`invalid name '${name}'`);
          const agent: HomeAgent = {
            name,
            description: typeof data.description === 'string' ? data.description : '',
            prompt: body.trim(),
          };
          const tools = stringList(data.tools);
          if (tools) agent.tools = tools;
          if (typeof data.model === 'string') agent.model = data.model;
          found.push(agent);
        } catch (error) {
          onSkip(file, (error as Error).message);
        }
      }
      return found.sort((a, b) => a.name.localeCompare(b.name));
    },
    async skills() {
      const dir = path.join(home, 'skills');
      const found: HomeSkill[] = [];
      for (const entry of await entries(dir)) {
        if (!entry.isDirectory() || !NAME.test(entry.name)) continue;
        const file = path.join(dir, entry.name, 'SKILL.md');
        try {
          const { data } = parseFrontMatter(await readFile(file, 'utf8'));
          const skill: HomeSkill = {
            name: typeof data.name === 'string' && NAME.test(data.name) ? data.name : entry.name,
            description: typeof data.description === 'string' ? data.description : '',
            dir: path.join(dir, entry.name),
          };
          const tools = stringList(data['allowed-tools'] ?? data.tools);
          if (tools) skill.tools = tools;
          if (typeof data.model === 'string') skill.model = data.model;
          found.push(skill);
        } catch (error) {
          onSkip(file, (error as Error).message);
        }
      }
      return found.sort((a, b) => a.name.localeCompare(b.name));
    },
  };
}

async function entries(dir: string) {
  try {
    return await readdir(dir, { withFileTypes: true });
  } catch {
    return [];
  }
}
