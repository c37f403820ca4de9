import type { SDKUserMessage } from '@anthropic-ai/claude-agent-sdk';

/**
 * The stdin of a Claude Code process as an async iterable that stays open between turns: the SDK
 * reads it for as long as it is open, so a live process can take the next user turn later. Closing
 * it ends the process's input (the CLI exits after answering what it already has).
 */
export class InputChannel implements AsyncIterable<SDKUserMessage> {
  readonly #pending: SDKUserMessage[] = [];
  #wake: (() => void) | undefined;
  #closed = false;

  get closed(): boolean {
    return this.#closed;
  }

  push(message: SDKUserMessage): void {
    if (this.#closed) throw new Error('InputChannel: push after close');
    this.#pending.push(message);
    this.#notify();
  }

  close(): void {
    this.#closed = true;
    this.#notify();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<SDKUserMessage, void, undefined> {
    for (;;) {
      const next = this.#pending.shift();
      if (next) {
        yield next;
        continue;
      }
      if (this.#closed) return;
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
      });
    }
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }
}
