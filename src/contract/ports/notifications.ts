/**
 * The PostgreSQL channels gateways signal each other on. Fixed names (they are identifiers in
 * LISTEN), each with a short text payload.
 */
export const CHANNELS = {
  /** Payload: a task id whose event log just grew. */
  taskEvents: 'cg_task_events',
  /** Payload: a task id the gateway running it should cancel. */
  taskCancel: 'cg_task_cancel',
  /** Payload: a background response id whose event log just grew. */
  responseEvents: 'cg_response_events',
  /** Payload: a background response id the gateway running it should cancel. */
  responseCancel: 'cg_response_cancel',
  /** Payload: JSON `[{ id, cwd }]` of Claude Code sessions ended for good (transcripts deleted). */
  conversationsEnded: 'cg_conversations_ended',
} as const;

export type Channel = (typeof CHANNELS)[keyof typeof CHANNELS];

/**
 * Signals between the gateways on one database (PostgreSQL LISTEN/NOTIFY). Delivery is at most
 * once and only while connected, so every user also has a way to catch up (polling the store).
 */
export interface StoreNotifications {
  publish(channel: Channel, payload: string): Promise<void>;
  /** Listens on `channel` (connecting on first use); the returned function stops listening. */
  subscribe(channel: Channel, listener: (payload: string) => void): () => void;
  close(): Promise<void>;
}

/**
 * What gateways sharing a database tell each other about a run one of them logs (a task, a
 * background response); absent on one machine, where the gateway running it is the only one.
 * Delivery is best effort: followers also poll the store.
 */
export interface LogSignals {
  /** Calls `listener` with a run's id whenever its log grew, on whichever gateway runs it. */
  onAppended(listener: (id: string) => void): () => void;
  /** Asks whichever gateway runs `id` to cancel it. */
  requestCancel(id: string): Promise<void>;
  /** Calls `listener` with the id of every run a gateway was asked to cancel. */
  onCancelRequested(listener: (id: string) => void): () => void;
}
