// Manage API keys in a platform database.
//   npx tsx scripts/api-keys.ts issue <name> <viewer|operator|admin> [--db data/unifleet.db]
//   npx tsx scripts/api-keys.ts list [--db …]
//   npx tsx scripts/api-keys.ts revoke <keyId> [--db …]
// The database defaults to $UNIFLEET_DB or data/unifleet.db (the platform's default). A running platform sees the
// change at once (SQLite WAL allows a second writer process).

import { existsSync } from 'node:fs';
import { systemClock } from '../src/core/clock.ts';
import { ApiKeyAuth, ROLES, type Role } from '../src/rcs/auth/index.ts';
import { openStore } from '../src/rcs/store/index.ts';

function fail(message: string): never {
  console.error(message);
  process.exit(2);
}

const args = process.argv.slice(2);
const dbFlag = args.indexOf('--db');
const dbPath = dbFlag >= 0 ? args.splice(dbFlag, 2)[1] : (process.env.UNIFLEET_DB ?? 'data/unifleet.db');
if (!dbPath) fail('--db needs a path');
if (!existsSync(dbPath)) fail(`no database at ${dbPath}; start the platform once or pass --db`);
const [command, ...rest] = args;
const store = openStore({ path: dbPath });
const auth = new ApiKeyAuth(store.apiKeys, systemClock);

try {
  if (command === 'issue') {
    const [name, role] = rest;
    if (!name || !ROLES.includes(role as Role)) fail(`usage: issue <name> <${ROLES.join('|')}>`);
    const { record, token } = await auth.issue(name, role as Role);
    console.log(JSON.stringify({ id: record.id, name: record.name, role: record.role, token }));
    console.error('Store the token now: it cannot be shown again.');
  } else if (command === 'list') {
    for (const k of await store.apiKeys.list()) {
      console.log(JSON.stringify({ id: k.id, name: k.name, role: k.role, createdAt: new Date(k.createdAt).toISOString(), revoked: k.revokedAt !== null }));
    }
  } else if (command === 'revoke') {
    const [id] = rest;
    if (!id) fail('usage: revoke <keyId>');
    if (!(await auth.revoke(id))) fail(`no active key '${id}'`);
    console.log(JSON.stringify({ id, revoked: true }));
  } else {
    fail('usage: api-keys.ts issue <name> <role> | list | revoke <keyId>  [--db path]');
  }
} finally {
  await store.close();
}
