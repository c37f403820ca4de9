import { GatewayError } from '../../contract/gateway-error.js';

/** Someone else's task answers like a task that never was: its existence is not disclosed. */
export const taskNotFound = (id: string) =>
  new GatewayError({
    status: 404,
    kind: 'not_found',
    code: 'task_not_found',
    param: 'id',
    message: `No task '${id}'.`,
  });
