import { describe, expect, it } from 'vitest';
import { createStopScanner, flushHeld, scanText, stopSequencesOf } from './stop-sequences.js';

/** Feeds the pieces one by one and returns what a client would have received. */
function run(stops: string[], pieces: string[]) {
  const scanner = createStopScanner(stops);
  const emitted: string[] = [];
  let stopped = false;
  for (const piece of pieces) {
    const result = scanText(scanner, piece);
    if (result.emit) emitted.push(result.emit);
    if (result.stopped) {
      stopped = true;
      break;
    }
  }
  if (!stopped) {
    const rest = flushHeld(scanner);
    if (rest) emitted.push(rest);
  }
  return { text: emitted.join(''), emitted, stopped };
}

describe('stopSequencesOf', () => {
  it('accepts a string or a list and drops empty and repeated sequences', () => {
    expect(stopSequencesOf('END')).toEqual(['END']);
    expect(stopSequencesOf(['a', '', 'a', 'b'])).toEqual(['a', 'b']);
    expect(stopSequencesOf('')).toEqual([]);
    expect(stopSequencesOf(null)).toEqual([]);
    expect(stopSequencesOf(undefined)).toEqual([]);
  });
});

describe('scanText', () => {
  it('cuts before a stop sequence inside one piece', () => {
    expect(run(['STOP'], ['one two STOP three'])).toEqual({
      text: 'one two ',
      emitted: ['one two '],
      stopped: true,
    });
  });

  it('finds a stop sequence split across pieces without sending its start', () => {
    const result = run(['<END>'], ['alpha <E', 'N', 'D> omega']);
    expect(result.text).toBe('alpha ');
    expect(result.stopped).toBe(true);
    expect(result.emitted.join('')).not.toContain('<');
  });

  it('releases held text when the would-be stop sequence turns out different', () => {
    const result = run(['<END>'], ['a <E', 'X> b']);
    expect(result).toEqual({ text: 'a <EX> b', emitted: ['a ', '<EX> b'], stopped: false });
  });

  it('releases a trailing partial match when the answer ends', () => {
    expect(run(['\n\n'], ['line one\n'])).toEqual({
      text: 'line one\n',
      emitted: ['line one', '\n'],
      stopped: false,
    });
  });

  it('cuts at the earliest of several stop sequences', () => {
    expect(run(['world', 'lo w'], ['hello world']).text).toBe('hel');
    expect(run(['b', 'a'], ['xxab']).text).toBe('xx');
  });

  it('stops at a sequence that begins the answer', () => {
    expect(run(['Q:'], ['Q: hi'])).toEqual({ text: '', emitted: [], stopped: true });
  });

  it('names the stop sequence that matched first', () => {
    expect(scanText(createStopScanner(['zz', 'b']), 'a b zz')).toEqual({
      emit: 'a ',
      stopped: true,
      stop: 'b',
    });
  });

  it('emits nothing more once stopped', () => {
    const scanner = createStopScanner(['x']);
    expect(scanText(scanner, 'ax')).toEqual({ emit: 'a', stopped: true, stop: 'x' });
    expect(scanText(scanner, 'more')).toEqual({ emit: '', stopped: true });
    expect(flushHeld(scanner)).toBe('');
  });

  it('passes text through unchanged when no piece could start a stop sequence', () => {
    const result = run(['###'], ['plain ', 'text ', 'only']);
    expect(result.emitted).toEqual(['plain ', 'text ', 'only']);
  });

  it('handles one-character pieces and overlapping prefixes', () => {
    const pieces = [...'abababc and more'];
    expect(run(['ababc'], pieces).text).toBe('ab');
  });
});
