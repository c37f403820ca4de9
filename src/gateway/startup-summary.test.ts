import { OpenAPIHono } from '@hono/zod-openapi';
import { describe, expect, it } from 'vitest';
import { startupSummary } from './startup-summary.js';

const surface = (name: string, listed?: boolean) => ({
  name,
  routes: new OpenAPIHono(),
  ...(listed === undefined ? {} : { listed }),
});

describe('startupSummary', () => {
  it('names the PostgreSQL host and database, never the user or password', () => {
    const summary = startupSummary({
      store: { engine: 'postgres', url: 'postgres://gateway:s3cret-pass@db.internal:5433/gateway_prod' },
      accounts: [{ label: 'credentials from the environment (ANTHROPIC_API_KEY)' }],
      surfaces: [surface('openai-chat'), surface('openai-unsupported', false), surface('native')],
    });
    expect(summary).toEqual({
      store: 'postgres db.internal:5433/gateway_prod',
      accounts: 1,
      accountSources: ['credentials from the environment (ANTHROPIC_API_KEY)'],
      surfaces: ['openai-chat', 'native'],
    });
    expect(JSON.stringify(summary)).not.toMatch(/s3cret|gateway:/);
  });

  it('names the SQLite file', () => {
    const summary = startupSummary({
      store: { engine: 'sqlite', file: '/data/gateway.db' },
      accounts: [],
      surfaces: [],
    });
    expect(summary.store).toBe('sqlite /data/gateway.db');
  });
});
