import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { ChatOpenAI } from '@langchain/openai';

/** The clients the compat suites drive, configured the way a user points them at the gateway. */
export function aiSdkProvider(baseURL: string, options: { supportsStructuredOutputs?: boolean } = {}) {
  return createOpenAICompatible({
    name: 'claude-gateway',
    baseURL,
    apiKey: 'sk-test-client',
    includeUsage: true,
    ...options,
  });
}

export function langchainChat(baseURL: string): ChatOpenAI {
  return new ChatOpenAI({
    model: 'sonnet',
    apiKey: 'sk-test-client',
    configuration: { baseURL },
    maxRetries: 0,
  });
}
