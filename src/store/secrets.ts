/**
 * Secrets: client secrets and OAuth tokens. They live in the OS keychain (service `okr`, one
 * entry per secret: `plugin.fitbit.client_secret`, `tokens.fitbit`), through @napi-rs/keyring.
 *
 * On Linux the entry is pinned to the Secret Service, so a missing session bus or keyring daemon
 * fails loudly instead of silently falling back to the kernel keyring (which forgets everything
 * at reboot). Plain-text storage in a 0600 JSON file happens only when the user asks for it
 * (`--insecure-storage`, `OKR_SECRETS=file` or `okr config set secrets.store file`); the choice is
 * remembered per secret in the conf file, and `okr status` / `okr config list` report it.
 * Never a silent downgrade: when the keychain fails, the command fails and says what to do.
 */
import { dirname } from 'node:path';
import { OkrError } from '../errors.js';
import { withFileLock } from '../lock.js';
import type { ConfFile } from './conf-file.js';
import { ensurePrivateDir, OkrFileError, readPrivateJson, writeFileAtomic } from './private-files.js';

export const KEYCHAIN_SERVICE = 'okr';
export type SecretStoreKind = 'keychain' | 'file';

/** One place where secret strings are kept. */
export interface SecretBackend {
  readonly kind: SecretStoreKind;
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string): Promise<void>;
  delete(key: string): Promise<void>;
}

export class KeychainUnavailableError extends OkrError {
  constructor(reason: string, cause?: unknown) {
    super(`The OS keychain is not reachable: ${reason}`, {
      hint:
        'On Linux okr needs a Secret Service (gnome-keyring, KeePassXC) on the D-Bus session bus; start one, ' +
        'or keep secrets in a plain-text 0600 file: `okr config set secrets.store file` (anyone who can read your files can read them).',
      cause,
    });
    this.name = 'KeychainUnavailableError';
  }
}

function firstLine(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return msg
    .split('\n')[0]!
    .replace(/dbus-daemon\[\d+\].*$/, '')
    .trim();
}

/** What okr uses of an @napi-rs/keyring `AsyncEntry` (tests give their own). */
export interface KeyringEntry {
  getPassword(): Promise<string | null | undefined>;
  setPassword(password: string): Promise<void>;
  deletePassword(): Promise<unknown>;
}
type MakeEntry = (service: string, key: string, platform: NodeJS.Platform) => Promise<KeyringEntry>;

const keyringEntry: MakeEntry = async (service, key, platform) => {
  const { AsyncEntry } = await import('@napi-rs/keyring');
  return new AsyncEntry(service, key, platform === 'linux' ? { linux: { store: 'secret-service' } } : {});
};

export class KeychainBackend implements SecretBackend {
  readonly kind = 'keychain' as const;
  /**
   * Each key's entry, made once. Making one blocks the thread: on Linux with gnome-keyring,
   * `new AsyncEntry` took 8–11 ms and a read on it 1–2 ms (measured), and a sync whose tokens have
   * expired reads them twice and writes them once (with a read back). An entry whose call failed
   * is dropped, so that the next call starts from a new one.
   */
  readonly #entries = new Map<string, Promise<KeyringEntry>>();

  constructor(
    private readonly service = KEYCHAIN_SERVICE,
    private readonly platform: NodeJS.Platform = process.platform,
    private readonly makeEntry: MakeEntry = keyringEntry,
  ) {}

  #entry(key: string): Promise<KeyringEntry> {
    let entry = this.#entries.get(key);
    if (!entry) {
      entry = this.makeEntry(this.service, key, this.platform).catch((err: unknown) => {
        throw new KeychainUnavailableError(firstLine(err), err);
      });
      this.#entries.set(key, entry);
    }
    return entry;
  }

  async #call<T>(key: string, what: string, fn: (entry: KeyringEntry) => Promise<T>): Promise<T> {
    try {
      return await fn(await this.#entry(key));
    } catch (err) {
      this.#entries.delete(key);
      if (err instanceof OkrError) throw err;
      throw new KeychainUnavailableError(`${what} failed: ${firstLine(err)}`, err);
    }
  }

  async get(key: string): Promise<string | undefined> {
    return (await this.#call(key, 'reading', (e) => e.getPassword())) ?? undefined;
  }

  async set(key: string, value: string): Promise<void> {
    await this.#call(key, 'writing', (e) => e.setPassword(value));
    // getPassword returns null both for "absent" and for a locked keyring: read back to be sure
    // the value really landed.
    const back = await this.#call(key, 'reading back', (e) => e.getPassword());
    if (back !== value) throw new KeychainUnavailableError('the keyring did not keep the value (is it locked?)');
  }

  async delete(key: string): Promise<void> {
    await this.#call(key, 'deleting', (e) => e.deletePassword());
  }
}

/** The opt-in plain-text store: a JSON object of strings in a 0600 file (see private-files.ts). */
export class FileSecretBackend implements SecretBackend {
  readonly kind = 'file' as const;
  constructor(readonly file: string) {}

  #read(): Record<string, string> {
    // Never echo the file's content in an error: it holds secrets.
    const fix = `Move it aside (mv '${this.file}' '${this.file}.bad'), then run \`okr config setup <plugin>\` and \`okr connect <plugin>\` again`;
    const data = readPrivateJson(this.file, 'secrets file', fix);
    if (!data) return {};
    if (!Object.values(data).every((v) => typeof v === 'string')) {
      throw new OkrFileError(
        this.file,
        `The secrets file ${this.file} is not okr's: every value must be a string.`,
        `${fix}; okr changed nothing.`,
      );
    }
    return data as Record<string, string>;
  }

  /** Reads, changes and rewrites the file under its lock (see withFileLock): a change never drops
   * a key another okr process wrote meanwhile (two plugins' token refreshes at once). */
  #update(change: (data: Record<string, string>) => void): void {
    ensurePrivateDir(dirname(this.file));
    withFileLock(this.file, () => {
      const data = this.#read();
      change(data);
      writeFileAtomic(this.file, `${JSON.stringify(data, null, 2)}\n`);
    });
  }

  async get(key: string): Promise<string | undefined> {
    return this.#read()[key];
  }

  async set(key: string, value: string): Promise<void> {
    this.#update((data) => {
      data[key] = value;
    });
  }

  async delete(key: string): Promise<void> {
    // Nothing to delete: no lock taken, no folder created.
    if (!(key in this.#read())) return;
    this.#update((data) => {
      delete data[key];
    });
  }
}

export interface SecretStoreOptions {
  conf: ConfFile;
  keychain: SecretBackend;
  file: SecretBackend;
  /** The store new secrets go to unless a call says otherwise (from OKR_SECRETS or `secrets.store`). */
  defaultStore: () => SecretStoreKind;
}

/** Routes each secret to the store it was saved in, and new ones to the chosen store. */
export class SecretStore {
  constructor(private readonly opts: SecretStoreOptions) {}

  storeOf(key: string): SecretStoreKind | undefined {
    return this.opts.conf.data.secretStores[key];
  }

  #backend(kind: SecretStoreKind): SecretBackend {
    return kind === 'file' ? this.opts.file : this.opts.keychain;
  }

  async get(key: string): Promise<string | undefined> {
    const kind = this.storeOf(key);
    // Nothing was ever saved under this key: do not touch the keychain at all (a locked or
    // missing keychain must not break commands that have no secret to read).
    if (!kind) return undefined;
    return this.#backend(kind).get(key);
  }

  /** Saves a secret; returns where it went. */
  async set(key: string, value: string, store?: SecretStoreKind): Promise<SecretStoreKind> {
    const kind = store ?? this.opts.defaultStore();
    const previous = this.storeOf(key);
    // A new secret is recorded before it is written: a process killed in between leaves a record
    // of a secret that may be absent (read as missing), never a secret no record points at (which
    // `okr status` could not see and `okr disconnect` could not delete).
    if (previous === undefined)
      this.opts.conf.update((d) => {
        d.secretStores[key] = kind;
      });
    try {
      await this.#backend(kind).set(key, value);
    } catch (err) {
      if (previous === undefined) this.opts.conf.update((d) => void delete d.secretStores[key]);
      throw err;
    }
    if (previous && previous !== kind) {
      await this.#backend(previous)
        .delete(key)
        .catch(() => {});
      this.opts.conf.update((d) => {
        d.secretStores[key] = kind;
      });
    }
    return kind;
  }

  async delete(key: string): Promise<void> {
    const kind = this.storeOf(key);
    if (!kind) return;
    await this.#backend(kind).delete(key);
    this.opts.conf.update((d) => void delete d.secretStores[key]);
  }

  /** Checks the keychain is usable: write, read back and delete a probe entry. */
  async probeKeychain(): Promise<{ ok: true } | { ok: false; error: OkrError }> {
    const key = `okr-probe-${process.pid}`;
    try {
      await this.opts.keychain.set(key, 'probe');
      await this.opts.keychain.delete(key);
      return { ok: true };
    } catch (err) {
      return {
        ok: false,
        error: err instanceof OkrError ? err : new KeychainUnavailableError(firstLine(err), err),
      };
    }
  }
}
