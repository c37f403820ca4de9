/**
 * Admission: the one decision, per run, on whether a key may run what it asks for now. The core asks
 * it before every run of every surface (`RunService.admit`); key policy (src/core/admission/key-admission.ts) makes
 * it. A surface describes its run as a `RunAsk`, in neutral terms with its own field names for the
 * refusals; the admission it gets back is what `RunService.run` takes, used once.
 */
import type { Principal } from './key-policy.js';

/** What a run asks of a key. */
export interface RunAsk {
  /** The model as the client named it: keys list allowed models as clients send them. */
  model: string;
  /** Present for an agent run (Claude Code's own tools on the gateway's machine). */
  agent?: {
    /** The tools the client named; undefined: it named none, which asks for every tool. */
    tools: readonly string[] | undefined;
    /** The surface's names of the fields a refusal points at (`claude_code`, `claude_code.tools`). */
    modeParam: string;
    toolsParam: string;
  };
}

/**
 * Where a key with a requests-per-minute limit stands in its window once a run was counted: what the
 * HTTP layer turns into rate-limit headers, so clients back off before they are refused.
 */
export interface RequestsPerMinuteStanding {
  limit: number;
  /** Runs left in this window (0 once the limit is reached or passed). */
  remaining: number;
  /** When the window ends, in Unix milliseconds. */
  resetAt: number;
}

/** Leave to run; `release` gives back what it holds (a run slot of the key). Harmless to repeat. */
export interface Admission {
  release(): void;
  /** The key's requests-per-minute standing with this run counted; absent for keys without a limit. */
  readonly requestsPerMinute?: RequestsPerMinuteStanding;
  /**
   * Epoch ms: every Claude account the run may use is spent until then, and ACCOUNTS_HOLD_MS lets it
   * wait rather than be refused. Its events start only after the wait: a stream should begin (and
   * keep alive) now rather than hold its response that long.
   */
  readonly accountsHeldUntil?: number;
}

/** Key policy's decision: an admission, or the GatewayError the client gets (403, 429, 503). */
export type Admit = (principal: Principal, ask: RunAsk) => Promise<Admission>;

/** An admission that holds nothing: runs without a key (auth off on loopback), tests' fakes. */
export const openAdmission = async (): Promise<Admission> => ({ release: () => undefined });

/**
 * Builds what an admitted run needs (its plan) before it starts; when that fails, the run never
 * starts, so the admission is given back at once.
 */
export async function planAdmitted<T>(admission: Admission, build: () => T | Promise<T>): Promise<T> {
  try {
    return await build();
  } catch (error) {
    admission.release();
    throw error;
  }
}
