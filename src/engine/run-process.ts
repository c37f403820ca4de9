import { query, type SpawnOptions } from '@anthropic-ai/claude-agent-sdk';
import { type Conversation, createConversation } from './conversation.js';
import { InputChannel } from './input-channel.js';
import type { ClaudeLaunch } from './options/claude-launch.js';
import { sdkOptions } from './options/claude-options.js';
import type { ProcessRegistry, SpawnedRun } from './processes/process-registry.js';

export interface RunProcessDeps {
  processes: ProcessRegistry;
  /** Spawns the CLI of a process started for the run (it may hand over one spawned ahead). */
  spawn?: (options: SpawnOptions) => SpawnedRun;
}

/**
 * The Claude Code process serving one run, however it came (started for the run, or a live one the
 * run took): what an abort of the run ends, what a failure names, what the run's end closes.
 */
export class RunProcess {
  readonly #deps: RunProcessDeps;
  readonly #signal: AbortSignal;
  readonly #abortController = new AbortController();
  readonly #launch: ClaudeLaunch;
  #spawned: SpawnedRun | undefined;
  #conversation: Conversation | undefined;

  constructor(launch: ClaudeLaunch, signal: AbortSignal, deps: RunProcessDeps) {
    this.#deps = deps;
    this.#signal = signal;
    this.#launch = launch;
    signal.addEventListener('abort', this.#onAbort, { once: true });
  }

  get current(): Conversation | undefined {
    return this.#conversation;
  }

  /**
   * Starts a process for the run (the SDK spawns it through the deps' `spawn`). Its options are made
   * here, not with the run: a run a live process serves never needs them.
   */
  startNew(): Conversation {
    const input = new InputChannel();
    const options = sdkOptions(this.#launch, {
      abortController: this.#abortController,
      spawnClaudeCodeProcess: (spawnOptions) => {
        this.#spawned = this.#deps.spawn
          ? this.#deps.spawn(spawnOptions)
          : this.#deps.processes.spawn(spawnOptions);
        return this.#spawned.process;
      },
    });
    return this.use(
      createConversation({
        query: query({ prompt: input, options }),
        input,
        origin: 'cold',
        process: () => this.#spawned,
        processes: this.#deps.processes,
      }),
    );
  }

  /** The run goes on with this conversation. */
  use(conversation: Conversation): Conversation {
    this.#conversation = conversation;
    return conversation;
  }

  process(): SpawnedRun | undefined {
    return this.#conversation?.process() ?? this.#spawned;
  }

  /** The run is over: an abort no longer concerns its process. */
  detach(): void {
    this.#signal.removeEventListener('abort', this.#onAbort);
  }

  /** Ends the run's process; resolves once it has exited. */
  async end(): Promise<void> {
    if (this.#conversation) await this.#conversation.close();
    else if (this.#spawned) await this.#deps.processes.terminate(this.#spawned.child);
  }

  readonly #onAbort = () => {
    this.#abortController.abort();
    const child = this.process()?.child;
    if (child) void this.#deps.processes.terminate(child);
  };
}
