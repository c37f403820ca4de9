/**
 * The PostgreSQL channels gateways signal each other on. Fixed names (they are identifiers in
 * LISTEN), each with a short text payload.
 */
export const CHANNELS = {
  /** Payload: a task id whose event log just grew. */
  taskEvents: 'cg_task_events',
  /** Payload: a task id the gateway running it should cancel. */
  taskCancel: 'cg_task_cancel',
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
