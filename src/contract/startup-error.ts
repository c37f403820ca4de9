/**
 * Something the gateway needs at start is not there (its port is taken, its database does not
 * answer, another gateway holds its scratch dir): reported as one line at start, never a stack trace.
 */
export class StartupError extends Error {}
