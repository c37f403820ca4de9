/**
 * Claude Code's environment block, taken out of a Messages API request body.
 *
 * Claude Code (2.1.330) adds a `role: "system"` message to every request it sends upstream, whose
 * text starts with `# Environment`: the process's working directory, whether it is a git
 * repository, platform, shell, OS version, the model's name and cutoff, today's date. It is appended
 * after the last turn, and stays in the history of a tool loop (then its content is a string). No
 * Claude Code setting removes it without also removing what the gateway needs, and a drop-in API
 * must not hand the gateway's paths and OS to a client's model, so the relay removes it here.
 *
 * Only system-role messages are looked at: a client's own text reaches Claude Code as the system
 * prompt or as user turns, never as a system-role message, so nothing a client wrote is removed.
 */

/** The heading Claude Code starts the block with. */
const ENVIRONMENT_HEADING = /^\s*# Environment\s*\n/;
/** The block's line naming the process's working directory. */
const WORKING_DIRECTORY = /^\s*- Primary working directory: (.+)$/m;
/** Blocks that cannot carry a cache breakpoint (the API refuses `cache_control` on them). */
const NO_BREAKPOINT = new Set(['thinking', 'redacted_thinking']);

type Json = Record<string, unknown>;

/**
 * What of the block may stay: the working directory of an agent run is one the client chose (and
 * its model needs, to name files), not a detail of the host.
 */
export interface ScrubOptions {
  keepsWorkingDirectory?: (directory: string) => boolean;
}

/**
 * The request body without the environment block, or the very same object when it holds none (so
 * the caller can forward the original bytes untouched). A block naming a working directory that
 * `keepsWorkingDirectory` accepts is cut down to that one line instead.
 *
 * A system message left empty is removed with its block (or kept empty when it carries more than
 * content). When the removed block carried Claude
 * Code's cache breakpoint (it is the last message, so it usually does), the breakpoint moves to the
 * last block of the message before it: the conversation is still cached up to its end, as it would
 * have been.
 */
export function withoutEnvironmentBlock(body: unknown, options: ScrubOptions = {}): unknown {
  if (!isObject(body) || !Array.isArray(body.messages)) return body;
  const messages: unknown[] = [];
  let changed = false;
  for (const message of body.messages) {
    const scrubbed = scrubMessage(message, options);
    if (scrubbed === undefined) {
      messages.push(message);
      continue;
    }
    changed = true;
    if (scrubbed.cacheControl !== undefined) carryBreakpoint(messages, scrubbed.cacheControl);
    if (scrubbed.kept !== undefined) messages.push(scrubbed.kept);
  }
  return changed ? { ...body, messages } : body;
}

/** What is left of a message, and the breakpoint its removed blocks carried. */
interface Scrubbed {
  kept: Json | undefined;
  cacheControl: unknown;
}

/** Undefined when the message holds no environment block. */
function scrubMessage(message: unknown, options: ScrubOptions): Scrubbed | undefined {
  if (!isObject(message) || message.role !== 'system') return undefined;
  const { content } = message;
  if (typeof content === 'string') {
    if (!isEnvironmentText(content)) return undefined;
    const left = whatMayStay(content, options);
    return {
      kept: left === undefined ? emptied(message) : { ...message, content: left },
      cacheControl: undefined,
    };
  }
  if (!Array.isArray(content) || !content.some(isEnvironmentBlock)) return undefined;
  const kept: unknown[] = [];
  let cacheControl: unknown;
  for (const block of content) {
    if (!isEnvironmentBlock(block)) {
      kept.push(block);
      continue;
    }
    const left = whatMayStay(block.text as string, options);
    if (left !== undefined) kept.push({ ...block, text: left });
    else if (block.cache_control !== undefined) cacheControl = block.cache_control;
  }
  // The breakpoint stays in the message when a block of it is left to carry it.
  const carrier = kept.at(-1);
  if (cacheControl !== undefined && isObject(carrier) && canCarry(carrier)) {
    kept[kept.length - 1] = { ...carrier, cache_control: cacheControl };
    return { kept: { ...message, content: kept }, cacheControl: undefined };
  }
  return { kept: kept.length > 0 ? { ...message, content: kept } : emptied(message), cacheControl };
}

/**
 * A system message with no content left: gone, unless it carries more than content (Claude Code
 * puts the turn's `output_config` on it), then kept with empty content as Claude Code itself sends
 * a message that carries only that.
 */
function emptied(message: Json): Json | undefined {
  const carriesMore = Object.keys(message).some((key) => key !== 'role' && key !== 'content');
  return carriesMore ? { ...message, content: [] } : undefined;
}

/** The one line of the block that may stay, or undefined: none. */
function whatMayStay(text: string, options: ScrubOptions): string | undefined {
  const directory = WORKING_DIRECTORY.exec(text)?.[1]?.trim();
  if (!directory || !options.keepsWorkingDirectory?.(directory)) return undefined;
  return `Working directory: ${directory}`;
}

/** Puts the breakpoint on the last block of the last message kept so far, unless it has one. */
function carryBreakpoint(messages: unknown[], cacheControl: unknown): void {
  const index = messages.length - 1;
  const previous = messages[index];
  if (!isObject(previous)) return;
  const { content } = previous;
  if (typeof content === 'string') {
    messages[index] = {
      ...previous,
      content: [{ type: 'text', text: content, cache_control: cacheControl }],
    };
    return;
  }
  if (!Array.isArray(content)) return;
  const last = content.at(-1);
  if (!isObject(last) || !canCarry(last)) return;
  messages[index] = {
    ...previous,
    content: [...content.slice(0, -1), { ...last, cache_control: cacheControl }],
  };
}

function canCarry(block: Json): boolean {
  return block.cache_control === undefined && !NO_BREAKPOINT.has(String(block.type));
}

function isEnvironmentBlock(block: unknown): block is Json {
  return (
    isObject(block) &&
    block.type === 'text' &&
    typeof block.text === 'string' &&
    isEnvironmentText(block.text)
  );
}

function isEnvironmentText(text: string): boolean {
  return ENVIRONMENT_HEADING.test(text);
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
