// Repositories for the small tables: webhook subscriptions, API keys, settings.

import type { Database, Statement } from 'better-sqlite3';
import type {
  ApiKeyRecord,
  ApiKeyRepository,
  Role,
  SettingsRepository,
  WebhookRepository,
  WebhookSubscription,
} from '../types.ts';

interface SubRow {
  id: string;
  url: string;
  secret: string;
  events: string;
  created_at: number;
}

const toSub = (r: SubRow): WebhookSubscription => ({
  id: r.id,
  url: r.url,
  secret: r.secret,
  events: JSON.parse(r.events) as string[],
  createdAt: r.created_at,
});

export class SqliteWebhookRepository implements WebhookRepository {
  private readonly insert: Statement;
  private readonly select: Statement<[string], SubRow>;
  private readonly selectAll: Statement<[], SubRow>;
  private readonly remove: Statement<[string]>;

  constructor(db: Database) {
    this.insert = db.prepare('INSERT INTO webhook_subscriptions (id, url, secret, events, created_at) VALUES (?, ?, ?, ?, ?)');
    this.select = db.prepare('SELECT * FROM webhook_subscriptions WHERE id = ?');
    this.selectAll = db.prepare('SELECT * FROM webhook_subscriptions ORDER BY created_at, id');
    // Outbox rows go with it (ON DELETE CASCADE): nobody is left to deliver them to.
    this.remove = db.prepare('DELETE FROM webhook_subscriptions WHERE id = ?');
  }

  async create(sub: WebhookSubscription): Promise<WebhookSubscription> {
    this.insert.run(sub.id, sub.url, sub.secret, JSON.stringify(sub.events), sub.createdAt);
    return sub;
  }

  async get(id: string): Promise<WebhookSubscription | undefined> {
    const row = this.select.get(id);
    return row ? toSub(row) : undefined;
  }

  async list(): Promise<WebhookSubscription[]> {
    return this.selectAll.all().map(toSub);
  }

  async delete(id: string): Promise<boolean> {
    return this.remove.run(id).changes > 0;
  }
}

interface KeyRow {
  id: string;
  name: string;
  role: Role;
  hash: string;
  created_at: number;
  revoked_at: number | null;
}

const toKey = (r: KeyRow): ApiKeyRecord => ({ id: r.id, name: r.name, role: r.role, hash: r.hash, createdAt: r.created_at, revokedAt: r.revoked_at });

export class SqliteApiKeyRepository implements ApiKeyRepository {
  private readonly insert: Statement;
  private readonly select: Statement<[string], KeyRow>;
  private readonly selectAll: Statement<[], KeyRow>;
  private readonly revokeStmt: Statement<[number, string]>;

  constructor(db: Database) {
    this.insert = db.prepare('INSERT INTO api_keys (id, name, role, hash, created_at, revoked_at) VALUES (@id, @name, @role, @hash, @createdAt, @revokedAt)');
    this.select = db.prepare('SELECT * FROM api_keys WHERE id = ?');
    this.selectAll = db.prepare('SELECT * FROM api_keys ORDER BY created_at, id');
    this.revokeStmt = db.prepare('UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL');
  }

  async create(key: ApiKeyRecord): Promise<void> {
    this.insert.run(key);
  }

  async byId(id: string): Promise<ApiKeyRecord | undefined> {
    const row = this.select.get(id);
    return row ? toKey(row) : undefined;
  }

  async list(): Promise<ApiKeyRecord[]> {
    return this.selectAll.all().map(toKey);
  }

  async revoke(id: string, at: number): Promise<boolean> {
    return this.revokeStmt.run(at, id).changes > 0;
  }
}

export class SqliteSettingsRepository implements SettingsRepository {
  private readonly select: Statement<[string], { value: string }>;
  private readonly upsert: Statement<[string, string]>;
  private readonly insertNew: Statement<[string, string]>;

  constructor(db: Database) {
    this.select = db.prepare('SELECT value FROM settings WHERE key = ?');
    this.upsert = db.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value');
    this.insertNew = db.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING');
  }

  async get(key: string): Promise<string | undefined> {
    return this.select.get(key)?.value;
  }

  async set(key: string, value: string): Promise<void> {
    this.upsert.run(key, value);
  }

  async setIfAbsent(key: string, value: string): Promise<string> {
    this.insertNew.run(key, value);
    return this.select.get(key)!.value;
  }
}
