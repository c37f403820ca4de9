/**
 * The host's details, taken out of Claude Code's environment block in a Messages API request body.
 *
 * Claude Code (2.1.330) adds a `role: "system"` message to every request it sends upstream, whose
 * text starts with `# Environment`: a list naming the process's working directory, whether it is a
 * git repository, platform, shell and OS version, then generic guidance, the model's name and
 * cutoff, the skills a run may use and today's date. It is appended after the last turn, and stays
 * in the history of a tool loop (then its content is a string). No Claude Code setting removes it
 * without also removing what the gateway needs, and a drop-in API must not hand the gateway's paths
 * and OS to a client's model, so the relay removes those lines here and leaves the rest (the skills
 * listing above all) as Claude Code wrote it; the block and its cache breakpoint stay where they are.
 *
 * Only system-role messages are looked at: a client's own text reaches Claude Code as the system
 * prompt or as user turns, never as a system-role message, so nothing a client wrote is changed.
 */

/** The heading Claude Code starts the block with. */
const ENVIRONMENT_HEADING = /^\s*# Environment\s*\n/;
/** A line of the block's list that describes the host, with the value it names. */
const HOST_LINE =
  /^ - (Primary working directory|Additional working directories|Is a git repository|Platform|Shell|OS Version):[ \t]*(.*)\n?/gm;

type Json = Record<string, unknown>;

/**
 * What of the host may stay: the working directory of an agent run is one the client chose (and
 * its model needs, to name files), not a detail of the host.
 */
export interface ScrubOptions {
  keepsWorkingDirectory?: (directory: string) => boolean;
}

/**
 * The request body without the host's details, or the very same object when it names none (so the
 * caller can forward the original bytes untouched).
 */
export function withoutHostDetails(body: unknown, options: ScrubOptions = {}): unknown {
  if (!isObject(body) || !Array.isArray(body.messages)) return body;
  let changed = false;
  const messages = body.messages.map((message: unknown) => {
    const scrubbed = scrubMessage(message, options);
    if (scrubbed !== message) changed = true;
    return scrubbed;
  });
  return changed ? { ...body, messages } : body;
}

/** The message without host lines, or the very same message when it has none. */
function scrubMessage(message: unknown, options: ScrubOptions): unknown {
  if (!isObject(message) || message.role !== 'system') return message;
  const { content } = message;
  if (typeof content === 'string') {
    const text = scrubText(content, options);
    return text === content ? message : { ...message, content: text };
  }
  if (!Array.isArray(content)) return message;
  let changed = false;
  const blocks = content.map((block: unknown) => {
    if (!isObject(block) || block.type !== 'text' || typeof block.text !== 'string') return block;
    const text = scrubText(block.text, options);
    if (text === block.text) return block;
    changed = true;
    return { ...block, text };
  });
  return changed ? { ...message, content: blocks } : message;
}

function scrubText(text: string, options: ScrubOptions): string {
  if (!ENVIRONMENT_HEADING.test(text)) return text;
  return text.replace(HOST_LINE, (line: string, name: string, value: string) =>
    name === 'Primary working directory' && options.keepsWorkingDirectory?.(value.trim()) ? line : '',
  );
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
