import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { Admit } from '../contract/admission.js';
import { storeUnavailable } from '../contract/auth-errors.js';
import type { Principal } from '../contract/key-policy.js';
import type { SharedConcurrency } from '../contract/ports/limits.js';
import { periodStart } from '../core/admission/budget-period.js';
import { createKeyAdmission } from '../core/admission/key-admission.js';
import { type ConcurrencyLimiter, KeyConcurrency } from '../core/admission/key-concurrency.js';
import { memoryRateWindow, RPM_WINDOW_MS, requestsPerMinute } from '../core/admission/requests-per-minute.js';
import { sharedKeyConcurrency } from '../core/admission/shared-key-limits.js';
import type { ModelCatalog } from '../core/model-catalog.js';
import type { GatewayStore } from '../store/gateway-store.js';
import type { RecentSpend } from '../store/recent-spend.js';
import { redisConcurrency } from '../store/redis/redis-concurrency.js';
import { connectRedis, redisAnswers } from '../store/redis/redis-connection.js';
import { redisRateWindow } from '../store/redis/redis-rate-window.js';
import { cachedProbe } from '../util/cached-probe.js';

export interface KeyLimitsSetup {
  config: Config;
  store: GatewayStore;
  /** The keys' recorded spend (reused from the key lookup of the same request when fresh). */
  spend: RecentSpend;
  /** This gateway process among those sharing the database: its run leases are renewed together. */
  processTag: string;
  /** Matches keys' model allow-lists (an alias and its full name are one model). */
  models: ModelCatalog;
  logger: Logger;
}

export interface KeyLimits {
  /** Key policy's decision on every run of every transport (model, agent tools, budget, slots, rpm). */
  admit: Admit;
  /** Undefined without REDIS_URL: /ready then does not ask Redis. */
  redisReachable: (() => Promise<boolean>) | undefined;
  /**
   * Run slots every gateway on the store (or Redis) shares: the pooled accounts' maxConcurrency is
   * counted there too. Undefined for one gateway on its own.
   */
  leases: SharedConcurrency | undefined;
  close(): Promise<void>;
}

/**
 * Where a key's limits are counted: in memory for one gateway; with REDIS_URL, rpm windows and run
 * slots in Redis; else on a shared database (PostgreSQL) there. Spend is always in the store. So N
 * gateways enforce one limit.
 */
export function buildKeyLimits(setup: KeyLimitsSetup): KeyLimits {
  const { config, store, logger } = setup;
  const sharedState = store.engine === 'postgres';
  const redis = config.REDIS_URL
    ? connectRedis(config.REDIS_URL, {
        onError: (err) => logger.warn({ err }, 'redis connection failed; limits answer 503 until it is back'),
      })
    : undefined;
  const rpmWindow = redis
    ? redisRateWindow(redis, RPM_WINDOW_MS)
    : sharedState
      ? store.rateWindow(RPM_WINDOW_MS)
      : memoryRateWindow(RPM_WINDOW_MS);
  const leases = redis
    ? redisConcurrency(redis, {
        onRefreshError: (err) => logger.warn({ err }, 'run slot not refreshed in redis'),
        onLeaseLost: (err) => logger.warn({ err }, 'run slot expired in redis before its run ended'),
      })
    : sharedState
      ? store.concurrency({
          instanceId: setup.processTag,
          onRenewError: (err) => logger.warn({ err }, 'run leases not renewed'),
        })
      : undefined;
  // One count of running runs per key, whatever surface or transport they came in on.
  const concurrency: ConcurrencyLimiter = leases
    ? sharedKeyConcurrency(leases, (err) => logger.warn({ err }, 'run lease not released; it expires'))
    : new KeyConcurrency();
  const spentUsd = async (principal: Principal) => {
    // A key without a budget needs no read (the check passes whatever the spend).
    const { budgetUsd, budgetPeriod } = principal.policy;
    if (principal.source !== 'store' || budgetUsd === undefined) return 0;
    // Read per run from the store every instance charges (or taken from the key lookup that just
    // read it), so budgets hold across instances. A periodic budget counts the audit log's charges
    // since its period began.
    const reading = budgetPeriod
      ? store.keys.spentSince(principal.id, periodStart(budgetPeriod, Date.now()))
      : setup.spend.spentUsd(principal.id);
    return reading.catch(() => {
      throw storeUnavailable();
    });
  };
  return {
    admit: createKeyAdmission({
      models: setup.models,
      requestsPerMinute: requestsPerMinute(rpmWindow),
      concurrency,
      spentUsd,
    }),
    // /ready fails while Redis does not answer, as it does when the store does not.
    redisReachable: redis ? cachedProbe(() => redisAnswers(redis), config.READY_CACHE_MS) : undefined,
    leases,
    async close() {
      await leases?.close().catch((err: unknown) => logger.warn({ err }, 'run leases not released'));
      redis?.disconnect();
    },
  };
}
