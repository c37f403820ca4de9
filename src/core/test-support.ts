/**
 * One fake RunService for every route's and service's unit tests: it admits by the gateway's real key
 * policy (in-memory run slots and rpm window, no recorded spend), plays a scripted run, and remembers
 * what it was asked. Test-only: excluded from the build.
 */
import { type Admit, openAdmission, type RunAsk } from '../contract/admission.js';
import type { Principal } from '../contract/key-policy.js';
import type { RunEvent } from '../contract/run-events.js';
import type { RunRequest, RunService } from '../contract/run-service.js';
import { createKeyAdmission } from './admission/key-admission.js';
import { KeyConcurrency } from './admission/key-concurrency.js';
import { memoryRateWindow, RPM_WINDOW_MS, requestsPerMinute } from './admission/requests-per-minute.js';
import { createModelCatalog, DEFAULT_MODEL_IDS } from './model-catalog.js';

export type Script = (request: RunRequest) => AsyncGenerator<RunEvent, void, undefined>;

/** Key policy as the gateway applies it, over in-memory slots and rpm windows and no recorded spend. */
export const keyAdmission = (): Admit =>
  createKeyAdmission({
    models: createModelCatalog(DEFAULT_MODEL_IDS),
    requestsPerMinute: requestsPerMinute(memoryRateWindow(RPM_WINDOW_MS)),
    concurrency: new KeyConcurrency(),
    spentUsd: async () => 0,
  });

/** Plays the n-th list of events for the n-th run, and nothing for runs past the last list. */
export function playing(...runs: ReadonlyArray<readonly RunEvent[]>): Script {
  let played = 0;
  return async function* (_request) {
    yield* runs[played++] ?? [];
  };
}

export interface FakeRunService {
  service: RunService;
  /** Every run it was asked for, in order. */
  requests: RunRequest[];
  /** Every admission it was asked for, refused ones too. */
  admitted: Array<{ principal: Principal | undefined; ask: RunAsk }>;
}

/**
 * A RunService that admits by `admit` (key policy by default), plays `script`, gives the admission
 * back when the run ends, and records what it was asked.
 */
export function fakeRunService(script: Script, admit: Admit = keyAdmission()): FakeRunService {
  const requests: RunRequest[] = [];
  const admitted: FakeRunService['admitted'] = [];
  const service: RunService = {
    admit(principal, ask) {
      admitted.push({ principal, ask });
      return principal ? admit(principal, ask) : openAdmission();
    },
    async *run(request) {
      requests.push(request);
      try {
        yield* script(request);
      } finally {
        // As the real service does: the key's run slot is free once the run is over.
        request.admission.release();
      }
    },
  };
  return { service, requests, admitted };
}
