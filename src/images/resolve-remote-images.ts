import type { ClaudeContentBlock, ClaudeTurn, RunPlan } from '../claude/run-plan.js';
import type { ChatCompletionRequest } from '../openai/chat-request.js';
import { GatewayError } from '../openai/errors.js';
import { type FetchImageOptions, fetchImage, ImageFetchError } from './fetch-image.js';

/** Replaces a plan's http(s) image sources with the fetched bytes; rejects with a 4xx GatewayError. */
export type RemoteImageResolver = (
  plan: RunPlan,
  request: ChatCompletionRequest,
  signal: AbortSignal,
) => Promise<RunPlan>;

/**
 * The gateway fetches remote images itself (Claude Code would not, and a URL source would reach the
 * model only if Anthropic could fetch it). A continued session already holds its history's images,
 * so only the new turn's are fetched then. Each distinct URL is fetched once per request.
 */
export function createRemoteImageResolver(options: FetchImageOptions): RemoteImageResolver {
  return async (plan, request, signal) => {
    const urls = new Set<string>();
    const turns = plan.session?.continues ? [] : plan.history;
    for (const block of [...turns.flatMap((turn) => turn.content), ...plan.prompt]) {
      if (block.type === 'image' && block.source.type === 'url') urls.add(block.source.url);
    }
    if (urls.size === 0) return plan;
    const fetched = new Map<string, ClaudeContentBlock>();
    await Promise.all(
      [...urls].map(async (url) => {
        try {
          const image = await fetchImage(url, options, signal);
          fetched.set(url, {
            type: 'image',
            source: { type: 'base64', media_type: image.mediaType, data: image.data.toString('base64') },
          });
        } catch (error) {
          throw error instanceof ImageFetchError ? toGatewayError(error, url, request) : error;
        }
      }),
    );
    const replace = (blocks: ClaudeContentBlock[]): ClaudeContentBlock[] =>
      blocks.map((block) =>
        block.type === 'image' && block.source.type === 'url'
          ? (fetched.get(block.source.url) ?? block)
          : block,
      );
    const history: ClaudeTurn[] = plan.session?.continues
      ? plan.history
      : plan.history.map((turn) => ({ ...turn, content: replace(turn.content) }));
    return { ...plan, history, prompt: replace(plan.prompt) };
  };
}

function toGatewayError(error: ImageFetchError, url: string, request: ChatCompletionRequest): GatewayError {
  const param = paramOfImage(request, url);
  if (error.failure === 'too_large') {
    return new GatewayError({
      status: 413,
      type: 'invalid_request_error',
      param,
      code: 'content_too_large',
      message: `The image at ${param ?? 'a message'} is too large: ${error.message}.`,
    });
  }
  return new GatewayError({
    status: 400,
    type: 'invalid_request_error',
    param,
    code: error.failure === 'not_an_image' ? 'invalid_image' : 'image_fetch_failed',
    message: `The image at ${param ?? 'a message'} could not be used: ${error.message}.`,
  });
}

/** Where the client put the URL, e.g. `messages[2].content[1].image_url`, for the error's `param`. */
function paramOfImage(request: ChatCompletionRequest, url: string): string | null {
  for (const [i, message] of request.messages.entries()) {
    if (typeof message.content === 'string' || !message.content) continue;
    for (const [j, part] of message.content.entries()) {
      if (part.type !== 'image_url') continue;
      const partUrl = typeof part.image_url === 'string' ? part.image_url : part.image_url.url;
      if (partUrl === url) return `messages[${i}].content[${j}].image_url`;
    }
  }
  return null;
}
