/**
 * The non-streaming reply: the fold of the response's own stream, so the two cannot drift apart.
 * Items are taken from their `output_item.done` events; status, usage and details from the
 * terminal event.
 */
import type { OutputItem, ResponseObject, ResponseStreamEvent } from './response-object.js';

export function foldResponse(events: Iterable<ResponseStreamEvent>): ResponseObject | undefined {
  const output: OutputItem[] = [];
  let terminal: ResponseObject | undefined;
  for (const event of events) {
    switch (event.type) {
      case 'response.output_item.done':
        output[event.output_index] = event.item;
        break;
      case 'response.completed':
      case 'response.incomplete':
      case 'response.failed':
        terminal = event.response;
        break;
      default:
        break;
    }
  }
  return terminal && { ...terminal, output: output.filter((item) => item !== undefined) };
}
