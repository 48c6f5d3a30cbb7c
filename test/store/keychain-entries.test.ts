/**
 * KeychainBackend makes each key's keyring entry once (making one blocks ~10 ms on Linux), and
 * drops an entry whose call failed. A counting stand-in for @napi-rs/keyring's AsyncEntry; the
 * real keychain is exercised by the tests that run in gnome-keyring (connect.keychain.test.ts,
 * config.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { KeychainBackend, KeychainUnavailableError, type KeyringEntry } from '../../src/store/secrets.js';

function fakeKeyring() {
  const values = new Map<string, string>();
  const made: string[] = [];
  let failNext: string | undefined;
  const makeEntry = async (service: string, key: string): Promise<KeyringEntry> => {
    made.push(key);
    const id = `${service}/${key}`;
    const maybeFail = () => {
      if (failNext === undefined) return;
      const message = failNext;
      failNext = undefined;
      throw new Error(message);
    };
    return {
      async getPassword() {
        maybeFail();
        return values.get(id) ?? null;
      },
      async setPassword(password: string) {
        maybeFail();
        values.set(id, password);
      },
      async deletePassword() {
        maybeFail();
        return values.delete(id);
      },
    };
  };
  return { made, makeEntry, fail: (message: string) => (failNext = message) };
}

describe('KeychainBackend entries', () => {
  it('makes one entry per key, however often the key is read and written', async () => {
    const k = fakeKeyring();
    const backend = new KeychainBackend('okr-test', 'linux', k.makeEntry);
    expect(await backend.get('tokens.fitbit')).toBeUndefined();
    await backend.set('tokens.fitbit', 'one');
    expect(await backend.get('tokens.fitbit')).toBe('one');
    await backend.set('tokens.fitbit', 'two');
    expect(await backend.get('plugin.fitbit.client_secret')).toBeUndefined();
    await backend.delete('tokens.fitbit');
    expect(await backend.get('tokens.fitbit')).toBeUndefined();
    expect(k.made).toEqual(['tokens.fitbit', 'plugin.fitbit.client_secret']);
  });

  it('reads made at once share the entry being made', async () => {
    const k = fakeKeyring();
    const backend = new KeychainBackend('okr-test', 'linux', k.makeEntry);
    await Promise.all([backend.get('tokens.oura'), backend.get('tokens.oura'), backend.get('tokens.oura')]);
    expect(k.made).toEqual(['tokens.oura']);
  });

  it('a failed call is the keychain error, and the next call makes a new entry', async () => {
    const k = fakeKeyring();
    const backend = new KeychainBackend('okr-test', 'linux', k.makeEntry);
    await backend.set('tokens.fitbit', 'kept');
    k.fail('org.freedesktop.DBus.Error.ServiceUnknown: The name is not activatable\nmore detail');
    const err = await backend.get('tokens.fitbit').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KeychainUnavailableError);
    expect((err as Error).message).toBe(
      'The OS keychain is not reachable: reading failed: org.freedesktop.DBus.Error.ServiceUnknown: The name is not activatable',
    );
    expect(await backend.get('tokens.fitbit')).toBe('kept');
    expect(k.made).toEqual(['tokens.fitbit', 'tokens.fitbit']);
  });

  it('an entry that cannot be made is the keychain error, and is tried again next time', async () => {
    let attempts = 0;
    const backend = new KeychainBackend('okr-test', 'linux', async () => {
      attempts++;
      throw new Error('Platform secure storage failure: no session bus');
    });
    for (let i = 0; i < 2; i++) {
      const err = await backend.get('tokens.fitbit').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(KeychainUnavailableError);
      expect((err as Error).message).toBe(
        'The OS keychain is not reachable: Platform secure storage failure: no session bus',
      );
    }
    expect(attempts).toBe(2);
  });
});
