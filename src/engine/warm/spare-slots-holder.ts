import type { SpareCounters, SpareSlot, SpareSlots } from './spare-slots.js';

/**
 * What the warm pool and the open spares answer alike, straight from their spare slots: counts,
 * session promises, pids and their life. Each kind says only how its spares start and serve a run.
 */
export abstract class SpareSlotsHolder<Template, Slot extends SpareSlot, Counters extends SpareCounters> {
  protected abstract readonly slots: SpareSlots<Template, Slot, Counters>;

  get counters(): Counters {
    return this.slots.counters;
  }

  get idleCount(): number {
    return this.slots.idleCount;
  }

  forgetSession(sessionId: string): void {
    this.slots.forgetSession(sessionId);
  }

  released(): void {
    this.slots.released();
  }

  fill(): void {
    this.slots.fill();
  }

  livePids(): number[] {
    return this.slots.livePids();
  }

  /** Spares still starting (not yet ready): the CPU-bound ones. */
  startingPids(): number[] {
    return this.slots.startingPids();
  }

  oldestIdleSince(): number | undefined {
    return this.slots.oldestIdleSince();
  }

  evictOldest(): Promise<void> {
    return this.slots.evictOldest();
  }

  close(): Promise<void> {
    return this.slots.close();
  }
}
