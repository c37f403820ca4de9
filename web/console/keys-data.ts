import { useCallback, useEffect, useState } from 'preact/hooks';
import type { Api } from './api.js';

export interface KeyView {
  id: string;
  name: string;
  prefix: string;
  admin: boolean;
  policy: {
    rpm?: number;
    concurrency?: number;
    budgetUsd?: number;
    models?: string[];
    profile?: string;
    accounts?: string[];
  };
  spentUsd: number;
  createdAt: number;
  revokedAt: number | null;
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
