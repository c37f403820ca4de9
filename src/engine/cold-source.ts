import type { ProcessSource } from './process-source.js';
import type { ProcessRegistry } from './processes/process-registry.js';
import { RunProcess } from './run-process.js';

/** Every run starts its own Claude Code process, which ends with the run. */
export function createColdSource(deps: { processes: ProcessRegistry }): ProcessSource {
  return {
    awaitsInitialize: false,
    reserveRebuildId: () => undefined,
    lease(launch, signal) {
      const run = new RunProcess(launch, signal, deps);
      return {
        keepsProcess: false,
        acquire: async () => run.startNew(),
        async replace(failed) {
          await failed.close();
          return run.startNew();
        },
        answered: () => undefined,
        process: () => run.process(),
        release() {
          run.detach();
          return run.end();
        },
      };
    },
  };
}
