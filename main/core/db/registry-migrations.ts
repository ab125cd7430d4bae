import type { Migration } from './sqlite';

/** The registry lists workspaces; it lives at <dataDir>/registry.sqlite. */
export const registryMigrations: Migration[] = [
  {
    version: 1,
    name: 'workspaces',
    up: `
      CREATE TABLE workspaces (
        id                TEXT PRIMARY KEY,
        name              TEXT NOT NULL,
        kind              TEXT NOT NULL CHECK (kind IN ('stripe', 'demo')),
        mode              TEXT NOT NULL CHECK (mode IN ('test', 'live')),
        stripe_account_id TEXT,
        currency          TEXT NOT NULL DEFAULT 'usd',
        key_prefix        TEXT,
        key_last4         TEXT,
        api_base          TEXT,
        created_at        INTEGER NOT NULL,
        last_sync_at      INTEGER
      ) STRICT;
      CREATE UNIQUE INDEX workspaces_name ON workspaces(name);
      CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;
    `,
  },
];
