/**
 * `npm run bench:accounts`: only the pooled-accounts scenario of `npm run bench` (a cold start without
 * ACCOUNTS_FILE and with one account, and the first token after the first account's 429), in one run.
 *
 *   npm run bench:accounts [-- --runs 7]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { accountScenarios, formatAccounts } from './accounts.js';

const { values: args } = parseArgs({ options: { runs: { type: 'string', default: '7' } } });
const runs = Math.min(25, Math.max(3, Math.round(Number(args.runs)) || 7));

const scratch = await mkdtemp(path.join(os.tmpdir(), 'claude-gateway-bench-accounts-'));
try {
  const figures = await accountScenarios({ scratch, model: 'sonnet', runs });
  process.stdout.write(`${formatAccounts(figures).join('\n')}\n`);
} finally {
  await rm(scratch, { recursive: true, force: true });
}
