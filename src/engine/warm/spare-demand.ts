export interface SpareDemandSettings {
  /** Spares kept however quiet it is (WARM_SPARES). */
  min: number;
  /** Spares kept however busy it is (WARM_SPARES_MAX); the process budget caps them further. */
  max: number;
  /** How far back arrivals count. */
  windowMs?: number;
  /** First guess of how long a used spare takes to be replaced, before anything was measured. */
  initialLagMs?: number;
  now?: () => number;
}

const DEFAULT_WINDOW_MS = 10_000;
const DEFAULT_LAG_MS = 1_500;
/** Weight of the newest sample in the moving averages: recent runs say most about the next ones. */
const SMOOTHING = 0.3;
/** Arrival times kept at most: enough for one a millisecond over the window is never needed. */
const MAX_ARRIVALS = 1_000;

/**
 * How many spares the traffic needs. Each arrival uses one spare, and its replacement is ready only
 * after the run that used it has released its slot and a new process has started, so the spares
 * needed to meet every arrival are the arrival rate times that lag (Little's law), between `min`
 * and `max`. Arrivals and lags are measured, so the count follows the traffic both ways.
 */
export class SpareDemand {
  readonly #min: number;
  readonly #max: number;
  readonly #windowMs: number;
  readonly #now: () => number;
  readonly #arrivals: number[] = [];
  /** When each run holding a taken spare started, oldest first, until its slot is released. */
  readonly #holding: number[] = [];
  #holdMs: number | undefined;
  #startMs: number | undefined;
  readonly #initialLagMs: number;

  constructor(settings: SpareDemandSettings) {
    this.#min = Math.max(0, settings.min);
    this.#max = Math.max(this.#min, settings.max);
    this.#windowMs = settings.windowMs ?? DEFAULT_WINDOW_MS;
    this.#initialLagMs = settings.initialLagMs ?? DEFAULT_LAG_MS;
    this.#now = settings.now ?? Date.now;
  }

  /** Whether spares are kept at all (WARM_SPARES_MAX or WARM_SPARES above 0). */
  get enabled(): boolean {
    return this.#max > 0;
  }

  /** Spares kept however quiet it is: above this, a pool looks again later whether to shrink. */
  get min(): number {
    return this.#min;
  }

  get windowMs(): number {
    return this.#windowMs;
  }

  /** A run that could have used a spare arrived (whether it found one or not). */
  noteArrival(): void {
    this.#arrivals.push(this.#now());
    if (this.#arrivals.length > MAX_ARRIVALS) this.#arrivals.shift();
  }

  /** A run took a spare: it holds it until a slot is released. */
  noteTaken(): void {
    this.#holding.push(this.#now());
    if (this.#holding.length > MAX_ARRIVALS) this.#holding.shift();
  }

  /**
   * A run slot was released. Slots are not tied to spares, so the oldest holder is taken to be the
   * one that finished: an estimate that is exact when runs take about as long as each other.
   */
  noteReleased(): void {
    const since = this.#holding.shift();
    if (since !== undefined) this.#holdMs = smooth(this.#holdMs, this.#now() - since);
  }

  /** A spare took this long from spawn to ready. */
  noteStarted(durationMs: number): void {
    this.#startMs = smooth(this.#startMs, durationMs);
  }

  /** Spares worth keeping now. */
  target(): number {
    const now = this.#now();
    while (this.#arrivals.length > 0 && (this.#arrivals[0] as number) <= now - this.#windowMs) {
      this.#arrivals.shift();
    }
    const lag = this.lagMs();
    const perMs = this.#arrivals.length / this.#windowMs;
    // Little's law gives the mean; arrivals that come together (a burst, a fan-out of parallel
    // requests) each need a spare at that moment, so the busiest stretch of one lag counts too.
    const needed = Math.max(Math.ceil(perMs * lag), this.#busiestWithin(lag));
    return Math.min(this.#max, Math.max(this.#min, needed));
  }

  /**
   * Whether the traffic needs more spares than the minimum: arrivals come faster than one spare is
   * replaced, so the spares starting now are the next arrivals' processes.
   */
  busy(): boolean {
    return this.target() > this.#min;
  }

  /**
   * Whether the latest arrivals came closer together than a used spare takes to be replaced: then
   * the spare that replaces one is the next arrival's, and it should start without waiting. (The
   * latest gap, not the window's average: a window of a minute dilutes a stretch of steady traffic.)
   */
  sustained(): boolean {
    const count = this.#arrivals.length;
    if (count < 2) return false;
    const gap = (this.#arrivals[count - 1] as number) - (this.#arrivals[count - 2] as number);
    return gap < this.lagMs();
  }

  /** The most arrivals of the window that fell within any `spanMs` of each other. */
  #busiestWithin(spanMs: number): number {
    let busiest = 0;
    let first = 0;
    for (let last = 0; last < this.#arrivals.length; last++) {
      while ((this.#arrivals[last] as number) - (this.#arrivals[first] as number) >= spanMs) first++;
      busiest = Math.max(busiest, last - first + 1);
    }
    return busiest;
  }

  /** How long a used spare takes to be replaced: the run's hold plus a start, as measured. */
  lagMs(): number {
    if (this.#holdMs === undefined && this.#startMs === undefined) return this.#initialLagMs;
    return (this.#holdMs ?? 0) + (this.#startMs ?? 0);
  }
}

function smooth(previous: number | undefined, sample: number): number {
  return previous === undefined ? sample : previous + SMOOTHING * (sample - previous);
}
