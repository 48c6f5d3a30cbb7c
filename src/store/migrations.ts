/**
 * Versioned schema migrations. `PRAGMA user_version` holds the version the file is at; each
 * migration moves it up by one inside a transaction, so a crash mid-migration leaves the file at
 * the previous version. Append new migrations; never edit a released one.
 * The schema is documented in README.md ("The database").
 */
export interface Migration {
  version: number;
  description: string;
  sql: string;
}

export const MIGRATIONS: Migration[] = [
  {
    version: 1,
    description: 'connections, daily values, templates, sync history and coverage',
    sql: `
      CREATE TABLE plugins (
        plugin_id              TEXT PRIMARY KEY,
        account_id             TEXT,
        account_label          TEXT,
        enabled                INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
        connected_at           TEXT,
        last_sync_at           TEXT,
        last_sync_status       TEXT CHECK (last_sync_status IN ('ok', 'partial', 'error', 'reauth')),
        last_error             TEXT,
        last_error_kind        TEXT,
        token_store            TEXT CHECK (token_store IN ('keychain', 'file')),
        access_expires_at      TEXT,
        refresh_expires_at     TEXT,
        needs_reauth           INTEGER NOT NULL DEFAULT 0 CHECK (needs_reauth IN (0, 1))
      );

      CREATE TABLE daily_metric_values (
        date         TEXT NOT NULL CHECK (date GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'),
        metric_name  TEXT NOT NULL CHECK (length(metric_name) > 0),
        value        NOT NULL,  -- no declared type: numbers stay numbers, text stays text
        source       TEXT NOT NULL,
        updated_at   TEXT NOT NULL,
        PRIMARY KEY (date, metric_name)
      ) WITHOUT ROWID;
      CREATE INDEX daily_metric_values_by_metric ON daily_metric_values (metric_name, date);

      CREATE TABLE metric_templates (
        id          INTEGER PRIMARY KEY,
        name        TEXT NOT NULL UNIQUE,
        is_default  INTEGER NOT NULL DEFAULT 0 CHECK (is_default IN (0, 1)),
        created_at  TEXT NOT NULL,
        updated_at  TEXT NOT NULL
      );
      CREATE UNIQUE INDEX metric_templates_one_default ON metric_templates (is_default) WHERE is_default = 1;

      CREATE TABLE template_metrics (
        template_id  INTEGER NOT NULL REFERENCES metric_templates (id) ON DELETE CASCADE,
        position     INTEGER NOT NULL,
        label        TEXT NOT NULL,
        type         TEXT NOT NULL CHECK (type IN ('external', 'number', 'duration', 'time', 'boolean', 'text')),
        source       TEXT,
        unit         TEXT,
        target       TEXT,
        PRIMARY KEY (template_id, position),
        UNIQUE (template_id, label),
        CHECK ((type = 'external') = (source IS NOT NULL))
      );

      CREATE TABLE sync_runs (
        id              INTEGER PRIMARY KEY,
        plugin_id       TEXT NOT NULL,
        trigger         TEXT NOT NULL DEFAULT 'manual',
        started_at      TEXT NOT NULL,
        finished_at     TEXT,
        status          TEXT NOT NULL CHECK (status IN ('running', 'ok', 'partial', 'error', 'reauth', 'interrupted')),
        range_from      TEXT,
        range_to        TEXT,
        values_written  INTEGER NOT NULL DEFAULT 0,
        api_calls       INTEGER NOT NULL DEFAULT 0,
        error           TEXT,
        pid             INTEGER
      );
      CREATE INDEX sync_runs_by_plugin ON sync_runs (plugin_id, started_at);

      CREATE TABLE sync_coverage (
        plugin_id    TEXT NOT NULL,
        date         TEXT NOT NULL,
        synced_at    TEXT NOT NULL,
        provisional  INTEGER NOT NULL DEFAULT 0 CHECK (provisional IN (0, 1)),
        PRIMARY KEY (plugin_id, date)
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 2,
    description: 'template_metrics.metric_name: the daily_metric_values name each template metric reads',
    // A metric's label is what people see and may be renamed; its metric name is what its values
    // are stored under and never changes (external: `pluginId.fieldId`; manual: a slug such as
    // `mood`). Rows from version 1 get the source, or the lower-cased label with `_` for spaces.
    sql: `
      ALTER TABLE template_metrics ADD COLUMN metric_name TEXT;
      UPDATE template_metrics SET metric_name = coalesce(source, lower(replace(trim(label), ' ', '_')));
      CREATE INDEX template_metrics_by_metric ON template_metrics (metric_name);
    `,
  },
  {
    version: 3,
    description: 'objectives and their key results',
    // A key result keeps its target, condition and baseline as the user wrote them (`>= 7:00`),
    // with the metric type they were parsed by, so loading re-parses them exactly (src/okr/).
    sql: `
      CREATE TABLE objectives (
        id            INTEGER PRIMARY KEY,
        title         TEXT NOT NULL CHECK (length(trim(title)) > 0),
        period_label  TEXT NOT NULL,
        period_from   TEXT NOT NULL CHECK (period_from GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'),
        period_to     TEXT NOT NULL CHECK (period_to GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'),
        archived      INTEGER NOT NULL DEFAULT 0 CHECK (archived IN (0, 1)),
        created_at    TEXT NOT NULL,
        updated_at    TEXT NOT NULL,
        CHECK (period_from <= period_to)
      );

      CREATE TABLE key_results (
        id            INTEGER PRIMARY KEY,
        objective_id  INTEGER NOT NULL REFERENCES objectives (id) ON DELETE CASCADE,
        position      INTEGER NOT NULL,
        title         TEXT NOT NULL CHECK (length(trim(title)) > 0),
        metric_name   TEXT NOT NULL CHECK (length(metric_name) > 0),
        metric_type   TEXT NOT NULL CHECK (metric_type IN ('number', 'duration', 'time', 'boolean', 'text')),
        agg           TEXT NOT NULL CHECK (agg IN ('avg', 'sum', 'min', 'max', 'last', 'count', 'days')),
        where_cond    TEXT,
        per           TEXT CHECK (per IN ('week', 'month')),
        target        TEXT NOT NULL,
        baseline      TEXT,
        created_at    TEXT NOT NULL,
        updated_at    TEXT NOT NULL,
        CHECK ((agg = 'days') = (where_cond IS NOT NULL))
      );
      CREATE INDEX key_results_by_objective ON key_results (objective_id, position);
      CREATE INDEX key_results_by_metric ON key_results (metric_name);
    `,
  },
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;
