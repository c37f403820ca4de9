import type { Channel, LogSignals, StoreNotifications } from '../contract/ports/notifications.js';

/**
 * Log signals over LISTEN/NOTIFY on two channels; the appends are announced by the log's own
 * insert (the store NOTIFYs in the same statement), cancels by `requestCancel`.
 */
export function postgresLogSignals(
  notifications: StoreNotifications,
  channels: { appended: Channel; cancel: Channel },
): LogSignals {
  return {
    onAppended: (listener) => notifications.subscribe(channels.appended, listener),
    requestCancel: (id) => notifications.publish(channels.cancel, id),
    onCancelRequested: (listener) => notifications.subscribe(channels.cancel, listener),
  };
}
