import type { OpenAPIHono } from '@hono/zod-openapi';
import { invalidRequest } from '../contract/errors.js';
import { GatewayError } from '../contract/gateway-error.js';
import type { KeyChange } from '../contract/ports/keys.js';
import {
  type KeySettingsContext,
  keySettingsProblems,
  policyOfSettings,
  withProfile,
} from '../core/admission/key-settings.js';
import { documented } from '../http/openapi-route.js';
import { validateJson } from '../http/validate-json.js';
import { roundUsd } from '../util/round-usd.js';
import type { ConsoleData, KeyView } from './console-data.js';
import * as docs from './console-route-docs.js';

export interface ConsoleKeyDeps {
  data: ConsoleData;
  /** What a key's settings are checked against: the served models, the permission profiles. */
  keySettings: KeySettingsContext;
  now: () => number;
}

/** The console's key pages: list with each key's state, create with every setting, change, revoke. */
export function addKeyRoutes(api: OpenAPIHono, deps: ConsoleKeyDeps): void {
  api.get(documented(api, docs.listKeys), async (c) => {
    const keys = await deps.data.keys(deps.now());
    return c.json({ keys: keys.map(keyJson) });
  });

  api.post(documented(api, docs.createKey), validateJson(docs.newKeySchema), async (c) => {
    const { name, admin, expiresAt, ...settings } = c.req.valid('json');
    const change = checkedChange({ ...settings, ...(expiresAt !== undefined ? { expiresAt } : {}) }, deps);
    try {
      const created = await deps.data.createKey({
        name,
        admin: admin ?? false,
        policy: policyOfSettings(withoutExpiry(change)),
        ...(expiresAt !== undefined ? { expiresAt } : {}),
      });
      return c.json({ id: created.record.id, name: created.record.name, key: created.key }, 201);
    } catch (error) {
      if (error instanceof Error && error.name === 'DuplicateKeyNameError') {
        throw invalidRequest(`A key named '${name}' already exists.`, 'name', 'duplicate_key_name');
      }
      throw error;
    }
  });

  api.patch(documented(api, docs.updateKey), validateJson(docs.keyChangeSchema), async (c) => {
    const change = checkedChange(c.req.valid('json'), deps);
    const updated = await deps.data.updateKey(c.req.param('id'), change, deps.now());
    if (!updated) throw keyNotFound();
    return c.json(keyJson(updated));
  });

  api.delete(documented(api, docs.revokeKey), async (c) => {
    const revokedKey = await deps.data.revokeKey(c.req.param('id'));
    if (!revokedKey) throw keyNotFound();
    return c.json({ id: revokedKey.id, revokedAt: revokedKey.revokedAt });
  });
}

/** The change, refused with a 400 naming the field when it could never work. */
function checkedChange(change: KeyChange, deps: ConsoleKeyDeps): KeyChange {
  const problem = keySettingsProblems(change, deps.keySettings)[0];
  if (problem) {
    throw invalidRequest(
      `${capitalized(problem.message)}.`,
      problem.setting,
      `unknown_${problemCode(problem.setting)}`,
    );
  }
  if (change.expiresAt != null && change.expiresAt <= deps.now()) {
    throw invalidRequest('The expiry must be in the future.', 'expiresAt');
  }
  return withProfile(change, deps.keySettings.profiles);
}

const problemCode = (setting: 'models' | 'profile') => (setting === 'models' ? 'model' : 'profile');
const capitalized = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

function withoutExpiry({ expiresAt: _expiresAt, ...settings }: KeyChange): Omit<KeyChange, 'expiresAt'> {
  return settings;
}

function keyJson(key: KeyView) {
  return {
    id: key.id,
    name: key.name,
    prefix: key.prefix,
    admin: key.admin,
    policy: key.policy,
    spentUsd: roundUsd(key.spentUsd),
    budgetSpentUsd: roundUsd(key.standing.budgetSpentUsd),
    state: key.standing.state,
    createdAt: key.createdAt,
    revokedAt: key.revokedAt,
    expiresAt: key.expiresAt,
  };
}

const keyNotFound = () =>
  new GatewayError({
    kind: 'not_found',
    status: 404,
    code: 'not_found',
    message: 'No active key with that id.',
  });
