import { connectStore, type StoreLocation } from '../store/engine.js';
import { migrateToLatest } from '../store/migrations.js';
import type { CliIo } from './cli-io.js';

/** `claude-gateway migrate`: applies pending schema steps (safe while other gateways start too). */
export async function migrateCommand(location: StoreLocation, io: CliIo): Promise<number> {
  const { db, engine } = connectStore(location);
  try {
    const applied = await migrateToLatest(db, engine);
    const where = location.engine === 'sqlite' ? location.file : 'PostgreSQL (DATABASE_URL)';
    io.out(
      applied.length > 0
        ? `Applied ${applied.length} migration(s) to ${where}: ${applied.join(', ')}.`
        : `${where} is up to date.`,
    );
    return 0;
  } finally {
    await db.destroy();
  }
}
