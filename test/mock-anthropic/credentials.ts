/**
 * Per-credential behaviour of the mock Messages API: which credential a request carried, and what
 * the mock does with it (refuse it, or count it against a quota that runs out the way a Claude
 * subscription's does). Pure: the server asks `judge` and writes what it says.
 *
 * The rate-limit headers are the `anthropic-ratelimit-unified-*` family Anthropic sends its
 * subscribers and Claude Code reads into its `rate_limit_event`: `-status` (`allowed`,
 * `allowed_warning`, `rejected`), `-reset` (epoch seconds), `-representative-claim` (which window
 * decided), and per window (`5h`, `7d`) `-utilization` (a fraction), `-reset` and `-status`.
 */

/** How the request authenticated: `x-api-key`, or `Authorization: Bearer` (OAuth tokens). */
export interface Credential {
  scheme: 'x-api-key' | 'bearer';
  value: string;
}

export interface CredentialScript {
  /** Every request with this credential is refused with `401 authentication_error`. */
  unauthorized?: boolean;
  /** Requests answered per window; past it every request gets `429 rate_limit_error` until the reset. */
  quota?: number;
  /** Length of the quota window, from the credential's first request in it; default one hour. */
  windowSeconds?: number;
  /** `retry-after` on the 429; default: seconds until the window resets. */
  retryAfterSeconds?: number;
  /**
   * Send the subscription's `anthropic-ratelimit-unified-*` headers (default true); false answers
   * like an API key's limit: a bare 429 with `retry-after`.
   */
  unifiedHeaders?: boolean;
}

export type CredentialVerdict =
  | { kind: 'refuse'; status: 401; errorType: 'authentication_error'; message: string }
  | {
      kind: 'limit';
      status: 429;
      errorType: 'rate_limit_error';
      message: string;
      headers: Record<string, string>;
    }
  /** Answer as scripted, adding these headers (empty for an unscripted credential). */
  | { kind: 'allow'; headers: Record<string, string> };

const DEFAULT_WINDOW_SECONDS = 3_600;
/** Past this share of the quota the status turns `allowed_warning`, as Anthropic's does. */
const WARNING_UTILIZATION = 0.75;

export function credentialOf(headers: Readonly<Record<string, string>>): Credential | undefined {
  const apiKey = headers['x-api-key'];
  if (apiKey) return { scheme: 'x-api-key', value: apiKey };
  const bearer = /^Bearer\s+(.+)$/i.exec(headers.authorization ?? '')?.[1];
  return bearer ? { scheme: 'bearer', value: bearer } : undefined;
}

interface QuotaWindow {
  startedAtMs: number;
  used: number;
}

export interface CredentialScripts {
  set(credential: string, script: CredentialScript): void;
  /** Decides the fate of one request carrying `credential` (undefined: none sent) at `nowMs`. */
  judge(credential: Credential | undefined, nowMs: number): CredentialVerdict;
  /** Forgets scripts and quota counts. */
  clear(): void;
}

export function credentialScripts(): CredentialScripts {
  const scripts = new Map<string, CredentialScript>();
  const windows = new Map<string, QuotaWindow>();

  function currentWindow(credential: string, script: CredentialScript, nowMs: number): QuotaWindow {
    const windowMs = (script.windowSeconds ?? DEFAULT_WINDOW_SECONDS) * 1_000;
    const existing = windows.get(credential);
    if (existing && nowMs < existing.startedAtMs + windowMs) return existing;
    const fresh = { startedAtMs: nowMs, used: 0 };
    windows.set(credential, fresh);
    return fresh;
  }

  return {
    set(credential, script) {
      scripts.set(credential, script);
      windows.delete(credential);
    },
    judge(credential, nowMs) {
      const script = credential === undefined ? undefined : scripts.get(credential.value);
      if (credential === undefined || script === undefined) return { kind: 'allow', headers: {} };
      if (script.unauthorized) {
        return {
          kind: 'refuse',
          status: 401,
          errorType: 'authentication_error',
          // What Anthropic says for each kind of credential it does not know.
          message: credential.scheme === 'bearer' ? 'Invalid bearer token' : 'invalid x-api-key',
        };
      }
      if (script.quota === undefined) return { kind: 'allow', headers: {} };
      const window = currentWindow(credential.value, script, nowMs);
      const resetsAtSeconds = Math.ceil(
        (window.startedAtMs + (script.windowSeconds ?? DEFAULT_WINDOW_SECONDS) * 1_000) / 1_000,
      );
      const unified = script.unifiedHeaders ?? true;
      if (window.used >= script.quota) {
        const retryAfter =
          script.retryAfterSeconds ?? Math.max(1, resetsAtSeconds - Math.floor(nowMs / 1_000));
        return {
          kind: 'limit',
          status: 429,
          errorType: 'rate_limit_error',
          message: 'This request would exceed your account\u2019s rate limit. Please try again later.',
          headers: {
            'retry-after': String(retryAfter),
            ...(unified ? unifiedHeaders('rejected', 1, resetsAtSeconds) : {}),
          },
        };
      }
      window.used += 1;
      const utilization = window.used / script.quota;
      const status = utilization >= WARNING_UTILIZATION ? 'allowed_warning' : 'allowed';
      return { kind: 'allow', headers: unified ? unifiedHeaders(status, utilization, resetsAtSeconds) : {} };
    },
    clear() {
      scripts.clear();
      windows.clear();
    },
  };
}

type UnifiedStatus = 'allowed' | 'allowed_warning' | 'rejected';

/** The quota is reported as the five-hour window, the one a Pro/Max subscription usually hits first. */
export function unifiedHeaders(
  status: UnifiedStatus,
  utilization: number,
  resetsAtSeconds: number,
): Record<string, string> {
  const reset = String(resetsAtSeconds);
  return {
    'anthropic-ratelimit-unified-status': status,
    'anthropic-ratelimit-unified-reset': reset,
    'anthropic-ratelimit-unified-representative-claim': 'five_hour',
    'anthropic-ratelimit-unified-5h-status': status,
    'anthropic-ratelimit-unified-5h-utilization': utilization.toFixed(2),
    'anthropic-ratelimit-unified-5h-reset': reset,
    // What turns Claude Code's event into `allowed_warning` with a top-level utilization.
    ...(status === 'allowed_warning'
      ? { 'anthropic-ratelimit-unified-5h-surpassed-threshold': String(WARNING_UTILIZATION) }
      : {}),
  };
}
