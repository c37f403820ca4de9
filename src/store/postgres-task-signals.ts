import { CHANNELS, type StoreNotifications } from '../contract/ports/notifications.js';
import type { TaskSignals } from '../contract/ports/tasks.js';

/** Task signals over LISTEN/NOTIFY; the appends are announced by the task store's own insert. */
export function postgresTaskSignals(notifications: StoreNotifications): TaskSignals {
  return {
    onAppended: (listener) => notifications.subscribe(CHANNELS.taskEvents, listener),
    requestCancel: (taskId) => notifications.publish(CHANNELS.taskCancel, taskId),
    onCancelRequested: (listener) => notifications.subscribe(CHANNELS.taskCancel, listener),
  };
}
