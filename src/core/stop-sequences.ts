/**
 * OpenAI `stop` sequences, applied by the gateway: Claude Code has no way to pass them to the API,
 * so the answer text is scanned as it streams and cut before the first stop sequence. Text that
 * could be the start of a stop sequence is held back until the next piece shows whether it is.
 */

export interface StopScanner {
  readonly stops: readonly string[];
  /** Text not yet released: a suffix that is a prefix of some stop sequence. */
  held: string;
  stopped: boolean;
}

export interface ScanResult {
  /** Text that is certainly part of the answer. */
  emit: string;
  /** A stop sequence was found; nothing after it may be sent. */
  stopped: boolean;
  /** Which one (Anthropic's `stop_sequence` names it); set when `stopped` first becomes true. */
  stop?: string;
}

/** The request's `stop` as a list; empty strings never match anything and are dropped. */
export function stopSequencesOf(stop: string | readonly string[] | null | undefined): string[] {
  const list = typeof stop === 'string' ? [stop] : (stop ?? []);
  return [...new Set(list.filter((sequence) => sequence !== ''))];
}

export function createStopScanner(stops: readonly string[]): StopScanner {
  return { stops, held: '', stopped: false };
}

export function scanText(scanner: StopScanner, text: string): ScanResult {
  if (scanner.stopped) return { emit: '', stopped: true };
  const buffer = scanner.held + text;
  const cut = firstStop(buffer, scanner.stops);
  if (cut !== undefined) {
    scanner.held = '';
    scanner.stopped = true;
    return { emit: buffer.slice(0, cut.index), stopped: true, stop: cut.stop };
  }
  const holdLength = longestPossibleStart(buffer, scanner.stops);
  scanner.held = buffer.slice(buffer.length - holdLength);
  return { emit: buffer.slice(0, buffer.length - holdLength), stopped: false };
}

/** Releases held text: the answer ended (or a tool call follows) without completing a stop sequence. */
export function flushHeld(scanner: StopScanner): string {
  const held = scanner.held;
  scanner.held = '';
  return held;
}

function firstStop(buffer: string, stops: readonly string[]): { index: number; stop: string } | undefined {
  let first: { index: number; stop: string } | undefined;
  for (const stop of stops) {
    const index = buffer.indexOf(stop);
    if (index !== -1 && (first === undefined || index < first.index)) first = { index, stop };
  }
  return first;
}

/** Length of the longest suffix of `buffer` that some stop sequence starts with (but is not all of). */
function longestPossibleStart(buffer: string, stops: readonly string[]): number {
  const longest = Math.max(0, ...stops.map((stop) => stop.length - 1));
  for (let length = Math.min(longest, buffer.length); length > 0; length--) {
    const suffix = buffer.slice(buffer.length - length);
    if (stops.some((stop) => stop.length > length && stop.startsWith(suffix))) return length;
  }
  return 0;
}
