import { CHANNELS, type StoreNotifications } from '../contract/ports/notifications.js';
import type { TaskSignals } from '../contract/ports/tasks.js';
import { postgresLogSignals } from './postgres-log-signals.js';

/** Task signals over LISTEN/NOTIFY; the appends are announced by the task store's own insert. */
export function postgresTaskSignals(notifications: StoreNotifications): TaskSignals {
  return postgresLogSignals(notifications, { appended: CHANNELS.taskEvents, cancel: CHANNELS.taskCancel });
}
