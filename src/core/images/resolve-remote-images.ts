import { GatewayError } from '../../contract/gateway-error.js';
import type { ClaudeContentBlock, ClaudeTurn, RunPlan } from '../../contract/run-plan.js';
import type { ImageLocator } from '../../contract/run-service.js';
import { type FetchImageOptions, fetchImage, ImageFetchError } from './fetch-image.js';

/** Replaces a plan's http(s) image sources with the fetched bytes; rejects with a 4xx GatewayError. */
export type RemoteImageResolver = (
  plan: RunPlan,
  signal: AbortSignal,
  locate?: ImageLocator,
) => Promise<RunPlan>;

/**
 * The gateway fetches remote images itself (Claude Code would not, and a URL source would reach the
 * model only if Anthropic could fetch it). A continued session already holds its history's images,
 * so only the new turn's are fetched then. Each distinct URL is fetched once per request.
 */
export function createRemoteImageResolver(options: FetchImageOptions): RemoteImageResolver {
  return async (plan, signal, locate) => {
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
          throw error instanceof ImageFetchError ? toGatewayError(error, locate?.(url) ?? null) : error;
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

function toGatewayError(error: ImageFetchError, param: string | null): GatewayError {
  if (error.failure === 'too_large') {
    return new GatewayError({
      status: 413,
      kind: 'too_large',
      param,
      code: 'content_too_large',
      message: `The image at ${param ?? 'a message'} is too large: ${error.message}.`,
    });
  }
  return new GatewayError({
    status: 400,
    kind: 'invalid_request',
    param,
    code: error.failure === 'not_an_image' ? 'invalid_image' : 'image_fetch_failed',
    message: `The image at ${param ?? 'a message'} could not be used: ${error.message}.`,
  });
}
