/**
 * Records what Claude Code reports about its account (rate limits, refused credentials) for the
 * account classifier's unit tests: the real CLI runs against the mock Messages API with an API key
 * or an OAuth token (`CLAUDE_CODE_OAUTH_TOKEN`), each scripted on the mock.
 * Run: npx tsx scripts/record-account-fixtures.ts
 */
import type { Options } from '@anthropic-ai/claude-agent-sdk';
import {
  type CredentialScript,
  type MockReply,
  startMockAnthropic,
  text,
} from '../test/mock-anthropic/server.js';
import { recordRun, writeFixture } from './record-sdk-run.js';

const API_KEY = 'sk-ant-fixture-key';
const OAUTH_TOKEN = 'sk-ant-oat01-fixture-token';

interface AccountScenario {
  credential: 'api-key' | 'oauth';
  script?: CredentialScript;
  replies?: MockReply[];
  /** CLAUDE_CODE_MAX_RETRIES for the run (the recorder's default is 0). */
  maxRetries?: number;
}

const scenarios: Record<string, AccountScenario> = {
  // A subscription under its quota: a rate_limit_event `allowed` with the window's utilisation.
  'account-oauth-allowed': { credential: 'oauth', script: { quota: 10 }, replies: [text('Fine.')] },
  // Past 75 % of the quota: `allowed_warning` with a top-level utilization.
  'account-oauth-warning': { credential: 'oauth', script: { quota: 1 }, replies: [text('Fine.')] },
  // A spent subscription: `rejected` with resetsAt, and no retry even with retries allowed.
  'account-oauth-rejected': { credential: 'oauth', script: { quota: 0 }, maxRetries: 2 },
  // An API key's 429: the CLI waits retry-after and retries (an api_retry per attempt).
  'account-key-429-retry': {
    credential: 'api-key',
    script: { quota: 0, retryAfterSeconds: 1, unifiedHeaders: false },
    maxRetries: 1,
  },
  'account-key-401': { credential: 'api-key', script: { unauthorized: true }, maxRetries: 1 },
  'account-oauth-401': { credential: 'oauth', script: { unauthorized: true } },
  // What Anthropic answers an API key whose organisation has no credit left.
  'account-key-credit': {
    credential: 'api-key',
    replies: [
      {
        kind: 'error',
        status: 400,
        errorType: 'invalid_request_error',
        message: 'Your credit balance is too low to access the Anthropic API.',
      },
    ],
  },
  // Overloaded twice, then an answer: the storm the CLI rides out itself.
  'account-overloaded-retry': {
    credential: 'api-key',
    replies: [{ kind: 'error', status: 529 }, { kind: 'error', status: 529 }, text('Made it.')],
    maxRetries: 2,
  },
};

function credentialEnv(scenario: AccountScenario): Options['env'] {
  const env: Record<string, string | undefined> = {
    CLAUDE_CODE_MAX_RETRIES: String(scenario.maxRetries ?? 0),
  };
  if (scenario.credential === 'oauth') {
    env.CLAUDE_CODE_OAUTH_TOKEN = OAUTH_TOKEN;
    env.ANTHROPIC_API_KEY = undefined;
  } else {
    env.ANTHROPIC_API_KEY = API_KEY;
  }
  return env;
}

const mock = await startMockAnthropic();
try {
  for (const [name, scenario] of Object.entries(scenarios)) {
    const credential = scenario.credential === 'oauth' ? OAUTH_TOKEN : API_KEY;
    const messages = await recordRun(mock, {
      replies: scenario.replies ?? [],
      prepare: (m) => {
        if (scenario.script) m.scriptCredential(credential, scenario.script);
      },
      options: { env: credentialEnv(scenario) },
    });
    await writeFixture(name, messages);
  }
} finally {
  await mock.close();
}
