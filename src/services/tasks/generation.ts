import { Ajv } from 'ajv';
import type { RequestsPerMinuteStanding } from '../../contract/admission.js';
import { modelNotFound } from '../../contract/errors.js';
import { GatewayError } from '../../contract/gateway-error.js';
import type { Principal } from '../../contract/key-policy.js';
import { type RunEvent, type RunUsage, ZERO_USAGE } from '../../contract/run-events.js';
import type { RunPlan } from '../../contract/run-plan.js';
import type { RunService, RunSummary } from '../../contract/run-service.js';
import type { ProfileCatalog } from '../../core/admission/profiles.js';
import type { ModelCatalog } from '../../core/model-catalog.js';
import { type RunCaller, serveRun } from '../../core/serve-run.js';
import type { PromptTemplate } from '../templates/template-library.js';
import { taskTimeoutMs } from './plan-task.js';

/** A one-shot generation (a template, a seed route's command): no tools, no history. */
export interface GenerationInput {
  prompt: string;
  model?: string;
  outputSchema?: Record<string, unknown>;
  /** Who asks, and the signal that ends the run when they go away. */
  caller: RunCaller;
  timeoutMs?: number;
  auditBody?: unknown;
}

export interface StartedGeneration {
  events: AsyncGenerator<RunEvent>;
  /** What the caller builds its answer from, once the events are consumed. */
  result: () => GenerationResult;
  /** The key's requests-per-minute standing with this run counted. */
  requestsPerMinute: RequestsPerMinuteStanding | undefined;
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
  /** Permission profiles by name: a key's profile bounds how long its generations may take. */
  profiles: ProfileCatalog;
  /** REQUEST_TIMEOUT_MS: no generation runs longer. */
  requestTimeoutMs: number;
}

/** Seconds a client asked a generation to take at most, bounded by its key's profile and the server. */
export function generationTimeoutMs(
  context: GenerationContext,
  principal: Principal | undefined,
  seconds: number | undefined,
): number {
  const profileName = principal?.policy.profile;
  const profile = profileName ? context.profiles[profileName] : undefined;
  return taskTimeoutMs(seconds, profile, context.requestTimeoutMs);
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
): Promise<StartedGeneration> {
  const startedAt = performance.now();
  let summary: RunSummary | undefined;
  let text = '';
  let usage: RunUsage = { ...ZERO_USAGE };
  const started = await serveRun(context.runs, {
    ...input.caller,
    onSummary: (runSummary) => {
      summary = runSummary;
      input.caller.onSummary?.(runSummary);
    },
    surface: 'tasks',
    ask: { model: input.model ?? context.defaultModel },
    plan: () => ({
      plan: generationPlan(input, context),
      ...(input.timeoutMs !== undefined ? { timeoutMs: input.timeoutMs } : {}),
    }),
    ...(input.auditBody !== undefined ? { auditBody: input.auditBody } : {}),
  });
  async function* events(): AsyncGenerator<RunEvent> {
    for await (const event of started.events) {
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
    requestsPerMinute: started.requestsPerMinute,
  };
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
