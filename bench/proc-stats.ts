import { readFileSync } from 'node:fs';
import pidtree from 'pidtree';

/** Resident set size of one process in MB, from /proc; 0 when it is gone. */
function rssMb(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    return match ? Number(match[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

/** CPU time (user + system) of one process in ms, from /proc; 0 when it is gone. */
function cpuMs(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    // utime and stime are fields 14 and 15 of stat, i.e. 12 and 13 after the command name.
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return 0;
  }
}

async function tree(pid: number): Promise<number[]> {
  try {
    return [pid, ...(await pidtree(pid))];
  } catch {
    return [pid];
  }
}

export interface TreeSample {
  rssMb: number;
  gatewayRssMb: number;
  processes: number;
}

export async function sampleTree(rootPid: number): Promise<TreeSample> {
  const pids = await tree(rootPid);
  return {
    rssMb: pids.reduce((sum, pid) => sum + rssMb(pid), 0),
    gatewayRssMb: rssMb(rootPid),
    processes: pids.length,
  };
}

/** Samples the tree's RSS every `everyMs` until stopped; keeps the peak. */
export function watchPeakRss(rootPid: number, everyMs = 100) {
  let peak: TreeSample = { rssMb: 0, gatewayRssMb: 0, processes: 0 };
  let running = true;
  const loop = (async () => {
    while (running) {
      const sample = await sampleTree(rootPid);
      if (sample.rssMb > peak.rssMb) peak = sample;
      await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
  })();
  return {
    async stop(): Promise<TreeSample> {
      running = false;
      await loop;
      return peak;
    },
  };
}

/**
 * Waits until the process tree is idle (spares finished starting, processes finished exiting):
 * less than `thresholdMs` of CPU over a `windowMs` window, or `timeoutMs` at most.
 */
export async function waitForQuiet(
  rootPid: number,
  timeoutMs = 15_000,
  windowMs = 250,
  thresholdMs = 20,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const total = async () => (await tree(rootPid)).reduce((sum, pid) => sum + cpuMs(pid), 0);
  let before = await total();
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, windowMs));
    const after = await total();
    const delta = after - before;
    // A drop means a process exited during the window: not quiet yet.
    if (delta >= 0 && delta < thresholdMs) return;
    before = after;
  }
}
