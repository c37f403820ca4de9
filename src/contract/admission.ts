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
  /**
   * The run came without an API POST (a WebSocket frame, an EventSource GET), so admission counts
   * it against the key's requests per minute. The HTTP layer counts every POST itself, before the
   * route runs, so that refused and invalid requests count too and carry the rate-limit headers.
   */
  countRequest?: boolean;
}

/** Leave to run; `release` gives back what it holds (a run slot of the key). Harmless to repeat. */
export interface Admission {
  release(): void;
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
