import { statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase, schemaVersion } from '../../src/store/db.js';
import { MIGRATIONS, SCHEMA_VERSION } from '../../src/store/migrations.js';
import { tempHome } from '../helpers/home.js';

function tables(db: ReturnType<typeof openDatabase>): string[] {
  return (
    db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]
  ).map((r) => r.name);
}

describe('migrations', () => {
  it('creates a new database at the latest version, private, in WAL mode with foreign keys', () => {
    const file = join(tempHome(), 'data', 'okr.db');
    const db = openDatabase(file);
    expect(schemaVersion(db)).toBe(SCHEMA_VERSION);
    expect(tables(db)).toEqual(
      expect.arrayContaining(['plugins', 'daily_metric_values', 'metric_templates', 'template_metrics', 'sync_runs']),
    );
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('busy_timeout', { simple: true })).toBeGreaterThanOrEqual(5000);
    db.close();
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(dirname(file)).mode & 0o777).toBe(0o700);
  });

  for (let from = 0; from < SCHEMA_VERSION; from++) {
    it(`upgrades a database at version ${from} and keeps its data`, () => {
      const file = join(tempHome(), 'okr.db');
      const old = openDatabase(file, { targetVersion: from });
      expect(schemaVersion(old)).toBe(from);
      if (from >= 1) {
        old
          .prepare(
            'INSERT INTO daily_metric_values (date, metric_name, value, source, updated_at) VALUES (?, ?, ?, ?, ?)',
          )
          .run('2026-11-01', 'fitbit.steps', 1234, 'fitbit', '2026-11-01T10:00:00Z');
      }
      old.close();
      const db = openDatabase(file);
      expect(schemaVersion(db)).toBe(SCHEMA_VERSION);
      if (from >= 1) {
        expect(db.prepare('SELECT value FROM daily_metric_values').get()).toEqual({ value: 1234 });
      }
      db.close();
    });
  }

  it('refuses a database written by a newer okr, and leaves it untouched', () => {
    const file = join(tempHome(), 'okr.db');
    const db = openDatabase(file);
    db.pragma(`user_version = ${SCHEMA_VERSION + 5}`);
    db.close();
    expect(() => openDatabase(file)).toThrow(/schema version \d+, but this okr only knows up to version \d+/);
    const again = openDatabase(file, { migrations: [...MIGRATIONS, ...extra(SCHEMA_VERSION + 5)] });
    expect(schemaVersion(again)).toBe(SCHEMA_VERSION + 5);
    again.close();
  });

  it('keeps values typed: numbers stay numbers and text stays text', () => {
    const db = openDatabase(join(tempHome(), 'okr.db'));
    const put = db.prepare(
      "INSERT INTO daily_metric_values (date, metric_name, value, source, updated_at) VALUES ('2026-01-01', ?, ?, 'manual', 'now')",
    );
    put.run('mood', '7');
    put.run('steps', 7);
    const rows = db
      .prepare('SELECT metric_name, value, typeof(value) AS t FROM daily_metric_values ORDER BY metric_name')
      .all();
    expect(rows).toEqual([
      { metric_name: 'mood', value: '7', t: 'text' },
      { metric_name: 'steps', value: 7, t: 'real' },
    ]);
    db.close();
  });

  it('rejects a malformed date', () => {
    const db = openDatabase(join(tempHome(), 'okr.db'));
    expect(() =>
      db
        .prepare(
          "INSERT INTO daily_metric_values (date, metric_name, value, source, updated_at) VALUES ('2026-1-1', 'x', 1, 'manual', 'now')",
        )
        .run(),
    ).toThrow(/CHECK constraint/);
    db.close();
  });
});

function extra(upTo: number) {
  const out = [];
  for (let v = SCHEMA_VERSION + 1; v <= upTo; v++) out.push({ version: v, description: 'test', sql: 'SELECT 1;' });
  return out;
}
