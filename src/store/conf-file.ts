/**
 * The conf file (`config.json`): non-secret settings, and which store holds each secret.
 *
 * Not the `conf` npm package: it pulls in ajv and cost ~85 ms of start-up on this machine (bare
 * `node -e ''` is ~40 ms), and `okr metrics show` must stay close to bare start-up. This is the
 * part of it okr needs: a JSON object, read once, written atomically (temp file + rename) with
 * mode 0600 in a 0700 folder.
 */
import { chmodSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { OkrError } from '../errors.js';
import { ensurePrivateDir } from '../paths.js';

export interface ConfData {
  /** Config values by full key (`plugin.fitbit.client_id`). Never secrets. */
  values: Record<string, string>;
  /** Where each stored secret lives: `keychain` or `file` (plain-text, opted into by the user). */
  secretStores: Record<string, 'keychain' | 'file'>;
  /** Other namespaced state (e.g. the installed schedule), owned by the module that writes it. */
  [section: string]: unknown;
}

export class ConfFile {
  #data: ConfData | undefined;
  constructor(readonly file: string) {}

  get data(): ConfData {
    if (!this.#data) this.#data = this.#read();
    return this.#data;
  }

  #read(): ConfData {
    if (!existsSync(this.file)) return { values: {}, secretStores: {} };
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(this.file, 'utf8'));
    } catch (err) {
      throw new OkrError(`The config file ${this.file} is not valid JSON (${(err as Error).message}).`, {
        hint: 'Fix or remove the file; `okr config list` shows what okr expects.',
      });
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new OkrError(`The config file ${this.file} does not hold a JSON object.`, {
        hint: 'Fix or remove the file.',
      });
    }
    const obj = parsed as Partial<ConfData>;
    return { ...obj, values: { ...(obj.values ?? {}) }, secretStores: { ...(obj.secretStores ?? {}) } } as ConfData;
  }

  /** Applies a change and writes the file atomically. Re-reads first so concurrent okr processes
   * do not drop each other's keys (the last writer wins per key, not per file). */
  update(change: (data: ConfData) => void): void {
    this.#data = this.#read();
    change(this.#data);
    ensurePrivateDir(dirname(this.file));
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(this.#data, null, 2)}\n`, { mode: 0o600 });
    chmodSync(tmp, 0o600);
    renameSync(tmp, this.file);
  }
}
