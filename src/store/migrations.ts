import { type Kysely, type Migration, type MigrationProvider, Migrator, sql } from 'kysely';
import type { StoreEngine } from './engine.js';

/**
 * Schema versions, applied in name order by Kysely's Migrator, which records them in
 * `kysely_migration` and, on PostgreSQL, holds an advisory lock while it runs, so several gateways
 * starting at once migrate exactly once. Never edit a shipped step: append a new one.
 *
 * 0001 is the schema SQLite gateways shipped with before migrations moved to Kysely (tracked then
 * in `user_version`); every statement is IF NOT EXISTS, so an existing gateway.db adopts it as is.
 */
function migrations(engine: StoreEngine): Record<string, Migration> {
  const bigint = engine === 'postgres' ? 'bigint' : 'integer';
  const real = engine === 'postgres' ? 'double precision' : 'real';
  return {
    '0001_keys_and_audit': {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('api_keys')
          .ifNotExists()
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('key_hash', 'text', (c) => c.notNull().unique())
          .addColumn('key_prefix', 'text', (c) => c.notNull())
          .addColumn('admin', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('rpm', 'integer')
          .addColumn('concurrency', 'integer')
          .addColumn('budget_usd', real)
          .addColumn('models', 'text')
          .addColumn('agent_tools', 'text')
          .addColumn('spent_usd', real, (c) => c.notNull().defaultTo(0))
          .addColumn('created_at', bigint, (c) => c.notNull())
          .addColumn('revoked_at', bigint)
          .execute();
        await sql`CREATE UNIQUE INDEX IF NOT EXISTS api_keys_active_name ON api_keys(name) WHERE revoked_at IS NULL`.execute(
          db,
        );
        await db.schema
          .createTable('audit_log')
          .ifNotExists()
          .addColumn('id', engine === 'postgres' ? 'bigserial' : 'integer', (c) =>
            engine === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement(),
          )
          .addColumn('at', bigint, (c) => c.notNull())
          .addColumn('request_id', 'text', (c) => c.notNull())
          .addColumn('key_id', 'text', (c) => c.notNull())
          .addColumn('method', 'text', (c) => c.notNull())
          .addColumn('path', 'text', (c) => c.notNull())
          .addColumn('model', 'text')
          .addColumn('stream', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('status', 'integer', (c) => c.notNull())
          .addColumn('error_code', 'text')
          .addColumn('prompt_tokens', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('completion_tokens', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('cost_usd', real, (c) => c.notNull().defaultTo(0))
          .addColumn('duration_ms', 'integer', (c) => c.notNull())
          .addColumn('time_to_first_chunk_ms', 'integer')
          .addColumn('queue_wait_ms', 'integer')
          .addColumn('prompt', 'text')
          .execute();
        await db.schema.createIndex('audit_log_at').ifNotExists().on('audit_log').column('at').execute();
        await db.schema
          .createIndex('audit_log_key_at')
          .ifNotExists()
          .on('audit_log')
          .columns(['key_id', 'at'])
          .execute();
        await db.schema
          .createTable('readiness_probe')
          .ifNotExists()
          .addColumn('id', 'integer', (c) => c.primaryKey().check(sql`id = 1`))
          .addColumn('checked_at', bigint, (c) => c.notNull())
          .execute();
      },
    },
    '0002_shared_limits': {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('rate_windows')
          .addColumn('key_id', 'text', (c) => c.primaryKey())
          .addColumn('window_start', bigint, (c) => c.notNull())
          .addColumn('hits', 'integer', (c) => c.notNull())
          .execute();
        await db.schema
          .createTable('run_leases')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('key_id', 'text', (c) => c.notNull())
          .addColumn('instance_id', 'text', (c) => c.notNull())
          .addColumn('expires_at', bigint, (c) => c.notNull())
          .execute();
        await db.schema.createIndex('run_leases_key').on('run_leases').column('key_id').execute();
        await db.schema.createIndex('run_leases_instance').on('run_leases').column('instance_id').execute();
      },
    },
    '0003_transcript_entries': {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('transcript_entries')
          .addColumn('seq', engine === 'postgres' ? 'bigserial' : 'integer', (c) =>
            engine === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement(),
          )
          .addColumn('project_key', 'text', (c) => c.notNull())
          .addColumn('session_id', 'text', (c) => c.notNull())
          .addColumn('subpath', 'text', (c) => c.notNull().defaultTo(''))
          .addColumn('uuid', 'text')
          .addColumn('entry', 'text', (c) => c.notNull())
          .addColumn('appended_at', bigint, (c) => c.notNull())
          .execute();
        // NULL uuids never conflict (on both engines): entries without one are always appended.
        await db.schema
          .createIndex('transcript_entries_uuid')
          .unique()
          .on('transcript_entries')
          .columns(['project_key', 'session_id', 'subpath', 'uuid'])
          .execute();
        await db.schema
          .createIndex('transcript_entries_session')
          .on('transcript_entries')
          .columns(['session_id', 'project_key', 'subpath', 'seq'])
          .execute();
      },
    },
    '0004_conversations': {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('conversations')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('cwd', 'text', (c) => c.notNull())
          .addColumn('conversation_key', 'text')
          .addColumn('head', 'text')
          .addColumn('busy_until', bigint)
          .addColumn('last_used_at', bigint, (c) => c.notNull())
          .execute();
        await db.schema.createIndex('conversations_head').on('conversations').column('head').execute();
        await db.schema
          .createIndex('conversations_key')
          .on('conversations')
          .column('conversation_key')
          .execute();
        await db.schema
          .createIndex('conversations_last_used')
          .on('conversations')
          .column('last_used_at')
          .execute();
      },
    },
    // SQLite files from before Kysely that already have this table (schema version 2) keep it.
    '0005_responses': {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('responses')
          .ifNotExists()
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('owner_id', 'text', (c) => c.notNull())
          .addColumn('previous_response_id', 'text')
          .addColumn('input_items', 'text', (c) => c.notNull())
          .addColumn('response', 'text', (c) => c.notNull())
          .addColumn('created_at', bigint, (c) => c.notNull())
          .addColumn('expires_at', bigint, (c) => c.notNull())
          .execute();
        await db.schema
          .createIndex('responses_expires_at')
          .ifNotExists()
          .on('responses')
          .column('expires_at')
          .execute();
      },
    },
    // The native API's sessions. SQLite files from main before Kysely created these tables
    // on open with IF NOT EXISTS and the same columns, so they adopt them as they are.
    '0006_native_sessions': {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('native_sessions')
          .ifNotExists()
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('owner_id', 'text', (c) => c.notNull())
          .addColumn('model', 'text', (c) => c.notNull())
          .addColumn('system_prompt', 'text')
          .addColumn('agent', 'text')
          .addColumn('created_at', bigint, (c) => c.notNull())
          .addColumn('last_activity_at', bigint, (c) => c.notNull())
          .addColumn('expires_at', bigint, (c) => c.notNull())
          .addColumn('usage', 'text', (c) => c.notNull())
          .addColumn('cost_usd', real, (c) => c.notNull().defaultTo(0))
          .addColumn('message_count', 'integer', (c) => c.notNull().defaultTo(0))
          .execute();
        await db.schema
          .createIndex('native_sessions_owner')
          .ifNotExists()
          .on('native_sessions')
          .columns(['owner_id', 'last_activity_at'])
          .execute();
        await db.schema
          .createIndex('native_sessions_expires')
          .ifNotExists()
          .on('native_sessions')
          .column('expires_at')
          .execute();
        await db.schema
          .createTable('native_session_messages')
          .ifNotExists()
          .addColumn('session_id', 'text', (c) =>
            c.notNull().references('native_sessions.id').onDelete('cascade'),
          )
          .addColumn('seq', 'integer', (c) => c.notNull())
          .addColumn('role', 'text', (c) => c.notNull())
          .addColumn('content', 'text', (c) => c.notNull())
          .addColumn('at', bigint, (c) => c.notNull())
          .addPrimaryKeyConstraint('native_session_messages_pk', ['session_id', 'seq'])
          .execute();
      },
    },
    // Agentic tasks and the permission profile a key was made with. SQLite files from main
    // before Kysely (schema version 3) already have the tables and the column: they adopt them.
    '0007_tasks': {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('tasks')
          .ifNotExists()
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('owner_id', 'text', (c) => c.notNull())
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('request', 'text', (c) => c.notNull())
          .addColumn('result', 'text')
          .addColumn('created_at', bigint, (c) => c.notNull())
          .addColumn('updated_at', bigint, (c) => c.notNull())
          .execute();
        await db.schema
          .createIndex('tasks_owner_created')
          .ifNotExists()
          .on('tasks')
          .columns(['owner_id', 'created_at'])
          .execute();
        await db.schema.createIndex('tasks_status').ifNotExists().on('tasks').column('status').execute();
        await db.schema
          .createTable('task_events')
          .ifNotExists()
          .addColumn('task_id', 'text', (c) => c.notNull().references('tasks.id').onDelete('cascade'))
          .addColumn('seq', 'integer', (c) => c.notNull())
          .addColumn('event', 'text', (c) => c.notNull())
          .addColumn('data', 'text', (c) => c.notNull())
          .addColumn('at', bigint, (c) => c.notNull())
          .addPrimaryKeyConstraint('task_events_pk', ['task_id', 'seq'])
          .execute();
        // New here, on every engine: which gateway runs a task, so one starting fails only its own.
        await addColumnIfMissing(db, engine, 'tasks', 'instance_id', 'text');
        await addColumnIfMissing(db, engine, 'api_keys', 'profile', 'text');
      },
    },
    '0008_take_run_lease': {
      // PostgreSQL only: a run lease in one round trip instead of four (BEGIN, lock, insert, COMMIT).
      // The per-key advisory lock must be taken before the live leases are counted, and in READ
      // COMMITTED one statement sees only what committed before it started; a VOLATILE function
      // takes a fresh snapshot for each statement in it, so its count sees every lease committed
      // before it got the lock. The lock is held until the calling statement commits.
      async up(db: Kysely<unknown>) {
        if (engine !== 'postgres') return;
        await sql`
          CREATE OR REPLACE FUNCTION take_run_lease(
            lease_id text, lease_key text, lease_instance text, at bigint, expires bigint, lease_limit integer
          ) RETURNS boolean LANGUAGE plpgsql VOLATILE AS $$
          BEGIN
            PERFORM pg_advisory_xact_lock(hashtext('lease:' || lease_key));
            INSERT INTO run_leases (id, key_id, instance_id, expires_at)
              SELECT lease_id, lease_key, lease_instance, expires
              WHERE (SELECT count(*) FROM run_leases WHERE key_id = lease_key AND expires_at > at) < lease_limit;
            RETURN FOUND;
          END
          $$`.execute(db);
      },
    },
    // Pooled Claude accounts: what every gateway knows about each (never a credential), which
    // account an audited run used, and the accounts a key may spend.
    '0009_accounts': {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('account_states')
          .addColumn('name', 'text', (c) => c.primaryKey())
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('resets_at', bigint)
          .addColumn('utilization', real)
          .addColumn('last_error_code', 'text')
          .addColumn('failures', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('overloads', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('overloads_since', bigint)
          .addColumn('fingerprint', 'text')
          .addColumn('updated_at', bigint, (c) => c.notNull())
          .execute();
        await db.schema.alterTable('audit_log').addColumn('account', 'text').execute();
        await db.schema.alterTable('api_keys').addColumn('accounts', 'text').execute();
      },
    },
    '0010_store_counters': {
      // Counts that outlive the rows they count (native sessions end, but /api/v1/health reports how
      // many were ever created), shared by every gateway on the store. Seeded with what exists
      // (`WHERE true`: SQLite cannot otherwise tell ON CONFLICT from a join clause after SELECT).
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('store_counters')
          .ifNotExists()
          .addColumn('name', 'text', (c) => c.primaryKey())
          .addColumn('value', bigint, (c) => c.notNull())
          .execute();
        await sql`INSERT INTO store_counters (name, value)
          SELECT 'native_sessions_created', count(*) FROM native_sessions WHERE true
          ON CONFLICT (name) DO NOTHING`.execute(db);
      },
    },
    // The field chat completions put Claude's thinking in, chosen per key.
    '0011_key_reasoning_field': {
      async up(db: Kysely<unknown>) {
        await db.schema.alterTable('api_keys').addColumn('reasoning_field', 'text').execute();
      },
    },
    // Background responses (their life and event log, on the gateway that runs them) and chat
    // completions stored with `store: true`.
    '0012_background_responses_and_stored_completions': {
      async up(db: Kysely<unknown>) {
        // Rows from before were all finished, foreground responses.
        await db.schema
          .alterTable('responses')
          .addColumn('status', 'text', (c) => c.notNull().defaultTo('completed'))
          .execute();
        await db.schema
          .alterTable('responses')
          .addColumn('background', 'integer', (c) => c.notNull().defaultTo(0))
          .execute();
        await db.schema.alterTable('responses').addColumn('instance_id', 'text').execute();
        await db.schema
          .createIndex('responses_status')
          .ifNotExists()
          .on('responses')
          .column('status')
          .execute();
        await db.schema
          .createTable('response_events')
          .ifNotExists()
          .addColumn('response_id', 'text', (c) => c.notNull().references('responses.id').onDelete('cascade'))
          .addColumn('seq', 'integer', (c) => c.notNull())
          .addColumn('event', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint('response_events_pk', ['response_id', 'seq'])
          .execute();
        await db.schema
          .createTable('chat_completions')
          .ifNotExists()
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('owner_id', 'text', (c) => c.notNull())
          .addColumn('model', 'text', (c) => c.notNull())
          .addColumn('metadata', 'text', (c) => c.notNull())
          .addColumn('completion', 'text', (c) => c.notNull())
          .addColumn('messages', 'text', (c) => c.notNull())
          .addColumn('created_at', bigint, (c) => c.notNull())
          .addColumn('expires_at', bigint, (c) => c.notNull())
          .execute();
        await db.schema
          .createIndex('chat_completions_owner_created')
          .ifNotExists()
          .on('chat_completions')
          .columns(['owner_id', 'created_at', 'id'])
          .execute();
        await db.schema
          .createIndex('chat_completions_expires_at')
          .ifNotExists()
          .on('chat_completions')
          .column('expires_at')
          .execute();
      },
    },
    '0013_audit_running': {
      // A run's audit row is written when it starts and completed when it ends, so a gateway
      // killed outright (kill -9, OOM) leaves rows that its next start marks interrupted and charges.
      // `instance_id`: on a shared database a starting gateway takes over only the rows it left.
      async up(db: Kysely<unknown>) {
        await db.schema.alterTable('audit_log').addColumn('run_key', 'text').execute();
        await db.schema
          .alterTable('audit_log')
          .addColumn('running', 'integer', (c) => c.notNull().defaultTo(0))
          .execute();
        await db.schema.alterTable('audit_log').addColumn('instance_id', 'text').execute();
        await db.schema
          .createIndex('audit_log_running')
          .on('audit_log')
          .column('run_key')
          .where(sql.ref('running'), '=', 1)
          .execute();
      },
    },
    // Keys that expire, and budgets that start afresh each day, week or month.
    '0014_key_expiry_and_budget_period': {
      async up(db: Kysely<unknown>) {
        await db.schema.alterTable('api_keys').addColumn('expires_at', bigint).execute();
        await db.schema.alterTable('api_keys').addColumn('budget_period', 'text').execute();
      },
    },
    // The pooled account a conversation's last turn ran under: the next turn stays on it, from
    // whichever gateway it lands on, while that account is usable.
    '0015_conversation_accounts': {
      async up(db: Kysely<unknown>) {
        await db.schema.alterTable('conversations').addColumn('account', 'text').execute();
      },
    },
    '0016_conversation_versions': {
      // The fencing token of a shared conversation: turns committed to its Claude Code session, so
      // a process one gateway kept is used only while no other gateway has committed a turn since.
      async up(db: Kysely<unknown>) {
        await db.schema
          .alterTable('conversations')
          .addColumn('version', 'integer', (c) => c.notNull().defaultTo(0))
          .execute();
      },
    },
  };
}

/** SQLite has no ADD COLUMN IF NOT EXISTS; files from before Kysely may already have the column. */
async function addColumnIfMissing(
  db: Kysely<unknown>,
  engine: StoreEngine,
  table: string,
  column: string,
  type: 'text',
): Promise<void> {
  if (engine === 'postgres') {
    await sql`ALTER TABLE ${sql.table(table)} ADD COLUMN IF NOT EXISTS ${sql.ref(column)} ${sql.raw(type)}`.execute(
      db,
    );
    return;
  }
  const { rows } = await sql<{ name: string }>`SELECT name FROM pragma_table_info(${table})`.execute(db);
  if (rows.some((row) => row.name === column)) return;
  await db.schema.alterTable(table).addColumn(column, type).execute();
}

export class MigrationError extends Error {}

/** Brings the schema up to date; returns the names of the steps it applied. */
export async function migrateToLatest<Schema>(db: Kysely<Schema>, engine: StoreEngine): Promise<string[]> {
  const provider: MigrationProvider = { getMigrations: async () => migrations(engine) };
  const { error, results } = await new Migrator({ db, provider }).migrateToLatest();
  if (error) {
    const failed = results?.find((result) => result.status === 'Error')?.migrationName;
    throw new MigrationError(
      `Store migration${failed ? ` ${failed}` : ''} failed: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
  return (results ?? [])
    .filter((result) => result.status === 'Success')
    .map((result) => result.migrationName);
}
