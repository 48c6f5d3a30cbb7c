/**
 * The conf file (`config.json`): non-secret settings, and which store holds each secret.
 *
 * Not the `conf` npm package: it pulls in ajv and cost ~85 ms of start-up on this machine (bare
 * `node -e ''` is ~40 ms), and `okr metrics show` must stay close to bare start-up. This is the
 * part of it okr needs: a JSON object, read once, written atomically (exclusive temp file +
 * rename) with mode 0600 in a 0700 folder (src/store/private-files.ts), each read-change-rename
 * under the file's lock (`config.json.lock`, src/lock.ts withFileLock). A damaged file (empty, a
 * byte-order mark, invalid JSON, wrong shapes) is an error naming it; it is never overwritten.
 */
import { dirname } from 'node:path';
import { withFileLock } from '../lock.js';
import { ensurePrivateDir, OkrFileError, readPrivateJson, writeFileAtomic } from './private-files.js';

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
    const fix = `Fix it by hand, or move it aside (mv '${this.file}' '${this.file}.bad') and set your settings again (okr config setup <plugin>)`;
    const obj = readPrivateJson(this.file, 'config file', fix);
    if (!obj) return { values: {}, secretStores: {} };
    const values = stringMap(obj.values);
    const secretStores = stringMap(obj.secretStores);
    const shape = !values
      ? '"values" must be an object of strings'
      : !secretStores || Object.values(secretStores).some((v) => v !== 'keychain' && v !== 'file')
        ? '"secretStores" must map each key to "keychain" or "file"'
        : undefined;
    if (shape)
      throw new OkrFileError(
        this.file,
        `The config file ${this.file} is not okr's: ${shape}.`,
        `${fix}; okr changed nothing.`,
      );
    return { ...obj, values: values!, secretStores: secretStores as ConfData['secretStores'] };
  }

  /**
   * Applies a change and writes the file atomically. The read, the change and the rename happen
   * under the file's lock (withFileLock), so concurrent okr processes do not drop each other's keys
   * (the last writer wins per key, not per file). `change` must not call update itself.
   */
  update(change: (data: ConfData) => void): void {
    ensurePrivateDir(dirname(this.file));
    withFileLock(this.file, () => {
      this.#data = this.#read();
      change(this.#data);
      writeFileAtomic(this.file, `${JSON.stringify(this.#data, null, 2)}\n`);
    });
  }
}

/** A copy of an object of strings (absent: empty); undefined when it is anything else. */
function stringMap(v: unknown): Record<string, string> | undefined {
  if (v === undefined) return {};
  if (!v || typeof v !== 'object' || Array.isArray(v)) return undefined;
  return Object.values(v).every((x) => typeof x === 'string') ? { ...(v as Record<string, string>) } : undefined;
}
