/**
 * Why a Claude Code run ended with `is_error: true`, as far as its result text tells. Claude Code
 * reports a network failure and a missing login without an HTTP status (`api_error_status: null`),
 * only as text such as "API Error: Connection refused … (ECONNREFUSED)" or "Not logged in · Please
 * run /login"; these patterns are what the CLI prints today.
 */
export type ResultFailureCause = 'connection' | 'not_logged_in' | 'other';

const NOT_LOGGED_IN = /not logged in|please run \/login/i;
const CONNECTION =
  /can't reach the api server|connection (refused|error|reset|timed out)|\b(ECONNREFUSED|ECONNRESET|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|ENETUNREACH|EHOSTUNREACH|UND_ERR_CONNECT_TIMEOUT)\b|fetch failed/i;

/** With an HTTP status the API answered, so credentials were sent (and maybe rejected): not ours. */
export function resultFailureCause(detail: string, apiErrorStatus: number | null): ResultFailureCause {
  if (apiErrorStatus !== null) return 'other';
  if (NOT_LOGGED_IN.test(detail)) return 'not_logged_in';
  if (CONNECTION.test(detail)) return 'connection';
  return 'other';
}
