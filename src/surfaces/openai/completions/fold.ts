import type { CompletionFinishReason, TextCompletion } from './wire.js';

/** The non-streaming completion: its own stream's chunks joined (both share one shape). */
export function foldChunks(chunks: readonly TextCompletion[]): TextCompletion {
  const first = chunks[0];
  if (!first) throw new Error('foldChunks: no chunks');
  let text = '';
  let finishReason: CompletionFinishReason | null = null;
  let usage: TextCompletion['usage'];
  for (const chunk of chunks) {
    for (const choice of chunk.choices) {
      text += choice.text;
      finishReason = choice.finish_reason ?? finishReason;
    }
    usage = chunk.usage ?? usage;
  }
  return {
    id: first.id,
    object: 'text_completion',
    created: first.created,
    model: first.model,
    choices: [{ index: 0, text, logprobs: null, finish_reason: finishReason }],
    ...(usage ? { usage } : {}),
  };
}
