import { describe, expect, it } from 'vitest';
import type { SystemPromptPlacement } from '../../../contract/run-plan.js';
import { createModelCatalog } from '../../../core/model-catalog.js';
import { plainConversationPlan } from '../../../core/plain-conversation.js';
import { chatCompletionRequestSchema } from './schema.js';
import { toRunPlan } from './to-plan.js';

// Spares are started for the plan of a minimal chat request: the two must not drift apart, or
// every plain request would miss the spares (their launch would differ).
describe('the plain conversation spares are started for', () => {
  const models = createModelCatalog(['sonnet', 'opus'], {});
  const placements: SystemPromptPlacement[] = ['replace', 'append', 'first-user-turn'];

  it.each(placements)('is the chat surface’s plan of a minimal request under %s', (placement) => {
    const request = chatCompletionRequestSchema.parse({
      model: 'sonnet',
      messages: [{ role: 'user', content: '.' }],
    });
    const context = {
      models,
      systemPromptPlacement: placement,
      maxImageBytes: 1_000_000,
      remoteImages: false,
    };
    expect(plainConversationPlan('sonnet', placement)).toEqual(toRunPlan(request, context));
  });
});
