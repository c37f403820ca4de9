/** A setting the gateway cannot run with: reported as one line at start, never as a stack trace. */
export class ConfigError extends Error {}
