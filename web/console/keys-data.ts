import { useCallback, useEffect, useState } from 'preact/hooks';
import type { Api } from './api.js';

export type BudgetPeriod = 'day' | 'week' | 'month';
export type ReasoningField = 'reasoning_content' | 'reasoning' | 'both';

export interface KeyPolicyView {
  rpm?: number;
  concurrency?: number;
  budgetUsd?: number;
  budgetPeriod?: BudgetPeriod;
  models?: string[];
  agentTools?: string[];
  profile?: string;
  accounts?: string[];
  reasoningField?: ReasoningField;
}

export interface KeyView {
  id: string;
  name: string;
  prefix: string;
  admin: boolean;
  policy: KeyPolicyView;
  spentUsd: number;
  /** The spend counted against the budget: this period's for a periodic budget. */
  budgetSpentUsd: number;
  state: 'active' | 'over budget' | 'expired' | 'revoked';
  createdAt: number;
  revokedAt: number | null;
  expiresAt: number | null;
}

/** The gateway's API keys, for tables and filters; `reload` after a change. */
export function useKeys(api: Api) {
  const [keys, setKeys] = useState<KeyView[]>([]);
  const reload = useCallback(() => {
    api
      .get<{ keys: KeyView[] }>('/keys')
      .then((r) => setKeys(r.keys))
      .catch(() => setKeys([]));
  }, [api]);
  useEffect(reload, [reload]);
  return { keys, reload };
}
