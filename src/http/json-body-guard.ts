import type { HonoRequest, MiddlewareHandler } from 'hono';
import { invalidRequest } from '../contract/errors.js';
import './context-variables.js';
import { takeArrivedBody } from './arrived-body.js';

export interface JsonBodyGuardOptions {
  /** Deepest nesting of objects and arrays accepted; real chat requests stay far below 20. */
  maxDepth: number;
}

const JSON_CONTENT_TYPE = /^application\/([\w.+-]+\+)?json\b/i;

/**
 * Rejects JSON bodies that are not valid UTF-8 (instead of silently turning bytes into U+FFFD and
 * passing them to the model) or nest deeper than `maxDepth` (deep nesting costs recursion in every
 * later step and is never a real request). Runs before any route parses the body; Hono caches the
 * bytes read here, so the body is read from the network once.
 */
export function jsonBodyGuard(options: JsonBodyGuardOptions): MiddlewareHandler {
  return async function jsonBodyGuardMiddleware(c, next) {
    // The method, not `c.req.raw.body`, says whether there is a body: that property would make
    // @hono/node-server build a web Request instead of reading the body straight from the socket.
    if (c.req.method === 'GET' || c.req.method === 'HEAD') return next();
    if (!JSON_CONTENT_TYPE.test(c.req.header('content-type') ?? '')) return next();
    takeArrivedBody(c.env);
    const bytes = await c.req.arrayBuffer();
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      throw invalidRequest('The request body is not valid UTF-8.', null, 'invalid_encoding');
    }
    if (exceedsJsonDepth(text, options.maxDepth)) {
      throw invalidRequest(
        `The request body nests objects or arrays deeper than ${options.maxDepth} levels.`,
        null,
        'json_too_deep',
      );
    }
    keepDecodedText(c.req, text);
    c.set('jsonBodyText', text);
    return next();
  };
}

/**
 * Hands the text decoded here to every later `c.req.json()` and `c.req.text()` (the accounting and
 * the route's validator each parse the body). Without it Hono derives the text from the cached bytes
 * by wrapping them in a new Response for every call, which costs each request tenths of a
 * millisecond before its run starts. Hono keeps each body read as a promise under its method's name;
 * its type declares methods there instead, hence the cast.
 */
function keepDecodedText(request: HonoRequest, text: string): void {
  (request.bodyCache as { text?: Promise<string> }).text = Promise.resolve(text);
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

/**
 * One linear pass over the text (no parse, no recursion); brackets inside strings do not count.
 * Strings are skipped with indexOf, so long base64 payloads cost little.
 */
export function exceedsJsonDepth(text: string, maxDepth: number): boolean {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === QUOTE) {
      i = closingQuote(text, i);
      if (i === -1) return false;
    } else if (code === OPEN_BRACE || code === OPEN_BRACKET) {
      if (++depth > maxDepth) return true;
    } else if (code === CLOSE_BRACE || code === CLOSE_BRACKET) {
      depth--;
    }
  }
  return false;
}

/** Index of the quote that closes the string opened at `open`, or -1 when it never closes. */
function closingQuote(text: string, open: number): number {
  let at = text.indexOf('"', open + 1);
  while (at !== -1 && isEscaped(text, at)) at = text.indexOf('"', at + 1);
  return at;
}

/** A quote is escaped when an odd number of backslashes stands right before it. */
function isEscaped(text: string, quote: number): boolean {
  let backslashes = 0;
  for (let i = quote - 1; i >= 0 && text.charCodeAt(i) === BACKSLASH; i--) backslashes++;
  return backslashes % 2 === 1;
}
