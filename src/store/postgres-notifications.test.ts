import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../../test/helpers/gateway-harness.js';
import {
  type PostgresCluster,
  postgresTestsEnabled,
  startPostgresCluster,
} from '../../test/helpers/postgres-cluster.js';
import { CHANNELS } from '../contract/ports/notifications.js';
import { type GatewayStore, openGatewayStore } from './gateway-store.js';

/** LISTEN/NOTIFY between two stores on one database, as two gateways see it. */
describe.skipIf(!postgresTestsEnabled())('store notifications on PostgreSQL', () => {
  let cluster: PostgresCluster | undefined;
  let url = '';
  let a: GatewayStore;
  let b: GatewayStore;
  beforeAll(async () => {
    cluster = await startPostgresCluster();
    url = await cluster.createDatabase();
    a = await openGatewayStore({ engine: 'postgres', url });
    b = await openGatewayStore({ engine: 'postgres', url });
  }, 60_000);
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await cluster?.stop();
  }, 30_000);

  it('wakes a gateway when another appends to a task log, in the same statement as the insert', async () => {
    const woken: string[] = [];
    const stop = a.notifications?.subscribe(CHANNELS.taskEvents, (taskId) => woken.push(taskId));
    // The subscription connects on first use; announce until it is listening.
    const listening = await eventually(async () => {
      await b.notifications?.publish(CHANNELS.taskEvents, 'probe');
      return woken.includes('probe');
    }, 10_000);
    expect(listening).toBe(true);
    await b.tasks.create({
      id: 'task_1',
      ownerId: 'k',
      status: 'running',
      request: {},
      result: null,
      createdAt: 1,
      updatedAt: 1,
    });
    await b.tasks.appendEvent('task_1', { seq: 1, event: 'text_delta', data: { text: 'hi' }, at: 2 });
    expect(await eventually(() => woken.includes('task_1'), 10_000)).toBe(true);
    expect(await a.tasks.events('task_1', 0)).toEqual([
      { seq: 1, event: 'text_delta', data: { text: 'hi' }, at: 2 },
    ]);
    stop?.();
  });

  it('listens again after its connection was cut', async () => {
    const heard: string[] = [];
    const stop = a.notifications?.subscribe(CHANNELS.taskCancel, (payload) => heard.push(payload));
    const listening = await eventually(async () => {
      await b.notifications?.publish(CHANNELS.taskCancel, 'before');
      return heard.includes('before');
    }, 10_000);
    expect(listening).toBe(true);
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      const { rowCount } = await admin.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
          WHERE query LIKE 'LISTEN %' AND pid <> pg_backend_pid()`,
      );
      expect(rowCount).toBeGreaterThan(0);
    } finally {
      await admin.end();
    }
    const reconnected = await eventually(
      async () => {
        await b.notifications?.publish(CHANNELS.taskCancel, 'after');
        return heard.includes('after');
      },
      15_000,
      200,
    );
    expect(reconnected).toBe(true);
    stop?.();
  });
});
