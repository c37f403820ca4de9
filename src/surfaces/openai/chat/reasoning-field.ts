import type { KeyPolicy, ReasoningField } from '../../../contract/key-policy.js';

/**
 * Both fields by default: clients read one or the other (the AI SDK's openai-compatible provider,
 * LangChain, LiteLLM and Open WebUI `reasoning_content`; clients written for vLLM, OpenRouter and
 * gpt-oss `reasoning`), those that know both take the first they find rather than joining them, and
 * every client checked ignores a field it does not know.
 */
export const DEFAULT_REASONING_FIELD: ReasoningField = 'both';

/** The request's `reasoning_field` wins over the key's choice, which wins over the default. */
export function chooseReasoningField(
  requested: ReasoningField | null | undefined,
  policy: KeyPolicy | undefined,
): ReasoningField {
  return requested ?? policy?.reasoningField ?? DEFAULT_REASONING_FIELD;
}
