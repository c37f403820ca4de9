import type { Surface } from '../../http/surface.js';
import { noCapabilityRoutes } from './unsupported-route.js';

/** OpenAI endpoints Claude Code has no capability for; their 404s use the default (OpenAI) errors. */
export function noCapabilitySurface(): Surface {
  return { name: 'openai-unsupported', routes: noCapabilityRoutes(), listed: false };
}
