/** Failures of the Claude Code process itself (as opposed to an error result it reports). */
export type ClaudeRunFailure = 'unavailable' | 'crashed' | 'aborted';

export class ClaudeRunError extends Error {
  readonly failure: ClaudeRunFailure;
  readonly stderrTail: string;

  constructor(failure: ClaudeRunFailure, message: string, stderrTail = '') {
    super(message);
    this.name = 'ClaudeRunError';
    this.failure = failure;
    this.stderrTail = stderrTail;
  }
}
