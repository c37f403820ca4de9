import { Ajv } from 'ajv';
import { planAdmitted } from '../../contract/admission.js';
import { modelNotFound } from '../../contract/errors.js';
import { GatewayError } from '../../contract/gateway-error.js';
import type { Principal } from '../../contract/key-policy.js';
import { type RunEvent, type RunUsage, ZERO_USAGE } from '../../contract/run-events.js';
import type { RunPlan } from '../../contract/run-plan.js';
import type { RunService, RunSummary } from '../../contract/run-service.js';
import { awaitFirstEvent } from '../../core/first-event.js';
import type { ModelCatalog } from '../../core/model-catalog.js';
import type { PromptTemplate } from '../../services/templates/template-library.js';

/** A one-shot generation (a template, a seed route's command): no tools, no history. */
export interface GenerationInput {
  prompt: string;
  model?: string;
  outputSchema?: Record<string, unknown>;
  principal?: Principal;
  requestId: string;
  signal: AbortSignal;
  timeoutMs?: number;
  onSummary?: (summary: RunSummary) => void;
  auditBody?: unknown;
}

export interface GenerationResult {
  /** The parsed JSON object when there was a schema, the text otherwise. */
  content: unknown;
  text: string;
  usage: RunUsage;
  costUsd: number;
  /** Milliseconds, as the seed server reported it. */
  generationTime: number;
}

export interface GenerationContext {
  runs: RunService;
  models: ModelCatalog;
  defaultModel: string;
}

/** A plain Claude Code run: empty system prompt, no tools; structured output when there is a schema. */
export function generationPlan(input: GenerationInput, context: GenerationContext): RunPlan {
  const requested = input.model ?? context.defaultModel;
  const model = context.models.resolve(requested);
  if (model === undefined) throw modelNotFound(requested);
  const plan: RunPlan = {
    model,
    history: [],
    prompt: [{ type: 'text', text: input.prompt }],
    thinking: 'disabled',
    clientTools: [],
  };
  if (input.outputSchema) plan.outputSchema = input.outputSchema;
  return plan;
}

/**
 * Runs a generation and hands its events on, with what the caller needs to build its answer at
 * the end. The first event is checked first, so a caller can still answer a refusal (queue
 * full, budget) with a real HTTP status.
 */
export async function startGeneration(
  input: GenerationInput,
  context: GenerationContext,
): Promise<{ events: AsyncGenerator<RunEvent>; result: () => GenerationResult }> {
  const admission = await context.runs.admit(input.principal, {
    model: input.model ?? context.defaultModel,
  });
  const plan = await planAdmitted(admission, () => generationPlan(input, context));
  const startedAt = performance.now();
  let summary: RunSummary | undefined;
  let text = '';
  let usage: RunUsage = { ...ZERO_USAGE };
  const run = context.runs.run({
    surface: 'tasks',
    plan,
    admission,
    signal: input.signal,
    requestId: input.requestId,
    ...(input.auditBody !== undefined ? { auditBody: input.auditBody } : {}),
    ...(input.timeoutMs !== undefined ? { timeoutMs: input.timeoutMs } : {}),
    onSummary: (runSummary) => {
      summary = runSummary;
      input.onSummary?.(runSummary);
    },
  });
  const all = await awaitFirstEvent(run);
  async function* events(): AsyncGenerator<RunEvent> {
    for await (const event of all) {
      if (event.type === 'text_delta') text += event.text;
      if (event.type === 'finish') usage = event.usage;
      yield event;
    }
  }
  return {
    events: events(),
    result: () => ({
      content: input.outputSchema ? parseStructured(text, input.outputSchema) : text,
      text,
      usage: summary?.usage ?? usage,
      costUsd: summary?.costUsd ?? 0,
      generationTime: Math.round(performance.now() - startedAt),
    }),
  };
}

/** Drains a generation; an `error` event is thrown as the request's error. */
export async function generate(
  input: GenerationInput,
  context: GenerationContext,
): Promise<GenerationResult> {
  const { events, result } = await startGeneration(input, context);
  for await (const event of events) if (event.type === 'error') throw event.error;
  return result();
}

/** Claude Code already validated it; checked again so a client never gets content off its schema. */
function parseStructured(text: string, schema: Record<string, unknown>): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw invalidOutput('The model did not return JSON for the template schema.');
  }
  const ajv = new Ajv({ allErrors: true, validateFormats: false });
  if (!ajv.validate(schema, value)) {
    throw invalidOutput(
      `The generated content does not match the template schema: ${ajv.errorsText(ajv.errors)}`,
    );
  }
  return value;
}

function invalidOutput(message: string): GatewayError {
  return new GatewayError({ status: 502, kind: 'upstream', code: 'invalid_structured_output', message });
}

/** A template's generation input (the caller adds who asks and the abort signal). */
export function templatePrompt(template: PromptTemplate, rendered: string) {
  return {
    prompt: rendered,
    ...(template.model ? { model: template.model } : {}),
    ...(template.outputSchema ? { outputSchema: template.outputSchema } : {}),
  };
}
