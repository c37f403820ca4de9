import type { NativeStreamEvent } from './encode-stream.js';
import { nativeErrorObject } from './render-error.js';

/** An SSE event of the native stream: its name and its one-line JSON data. */
export function toSseEvent(item: NativeStreamEvent): { event: string; data: string } {
  switch (item.event) {
    case 'message':
      return { event: 'message', data: JSON.stringify(item.data) };
    case 'complete':
      return { event: 'complete', data: JSON.stringify(item.data) };
    case 'error':
      return { event: 'error', data: JSON.stringify({ error: nativeErrorObject(item.error) }) };
  }
}

/** A WebSocket frame of the native stream: the same objects, with `type` naming complete and error. */
export function toWsFrame(item: NativeStreamEvent): Record<string, unknown> {
  switch (item.event) {
    case 'message':
      return item.data;
    case 'complete':
      return { type: 'complete', ...item.data };
    case 'error':
      return { type: 'error', error: nativeErrorObject(item.error) };
  }
}
