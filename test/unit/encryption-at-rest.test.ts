import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { internalContext } from '../../daemon/api/registry.js';
import { ResourceRegistry } from '../../daemon/api/resource-registry.js';
import {
  defaultEncryptionConfig,
  encryptionConfigPath,
  ensureEncryption,
  formatEncryptionConfig,
  parseEncryptionConfig,
  planDropOldKeys,
  planNewWriteKey,
  readEncryptionConfig,
} from '../../daemon/store/encryption-config.js';
import { NedbObjectStore } from '../../daemon/store/nedb-store.js';
import { rotateEncryptionKey } from '../../daemon/store/rotate-encryption-key.js';
import { EncryptionTransformer, type AesGcmKey, type ResourceEncryption } from '../../daemon/store/storage-transformer.js';
import type { KubeObject } from '../../lib/api/types.js';

const PLAIN = 'correct-horse-battery-staple';
const BASE64 = Buffer.from(PLAIN).toString('base64');
const key = (name: string, byte: number): AesGcmKey => ({ name, secret: Buffer.alloc(32, byte) });
const secretsWith = (...keys: AesGcmKey[]): ResourceEncryption[] => [{ resources: ['secrets'], providers: [{ type: 'aesgcm', keys }, { type: 'identity' }] }];
const secret = (name: string): KubeObject => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: 'default' }, data: { password: BASE64 } }) as KubeObject;

/** Every byte under `dir`, as one string: what a local user who could read the files would see. */
async function rawBytesUnder(dir: string): Promise<string> {
  let all = '';
  for (const entry of await fs.readdir(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) all += await fs.readFile(path.join(entry.parentPath, entry.name), 'latin1');
  }
  return all;
}

describe('encryption at rest', () => {
  describe('EncryptionTransformer (aesgcm and identity providers)', () => {
    const transformer = new EncryptionTransformer(secretsWith(key('key1', 1)), 'test.yaml');
    const json = JSON.stringify(secret('db'));

    it('writes a Secret as k8s:enc:aesgcm:v1:<key>:<base64 nonce+ciphertext+tag>, with neither the value nor its base64 in it', () => {
      const stored = transformer.toStorage('secrets', 'secrets/default/db', json);
      assert.match(stored, /^k8s:enc:aesgcm:v1:key1:[A-Za-z0-9+/]+=*$/);
      assert.equal(Buffer.from(stored.slice('k8s:enc:aesgcm:v1:key1:'.length), 'base64').length, 12 + Buffer.byteLength(json) + 16);
      assert.ok(!stored.includes(PLAIN) && !stored.includes(BASE64));
      assert.notEqual(transformer.toStorage('secrets', 'secrets/default/db', json), stored, 'a fresh nonce every write');
      assert.deepEqual(transformer.fromStorage('secrets', 'secrets/default/db', stored), { json, stale: false });
    });

    it('leaves resources the configuration does not name as plain JSON', () => {
      const configMap = '{"kind":"ConfigMap"}';
      assert.equal(transformer.toStorage('configmaps', 'configmaps/default/c', configMap), configMap);
      assert.deepEqual(transformer.fromStorage('configmaps', 'configmaps/default/c', configMap), { json: configMap, stale: false });
    });

    it('reads a plaintext Secret through identity and an old key\'s value through that key, both stale', () => {
      assert.deepEqual(transformer.fromStorage('secrets', 'secrets/default/db', json), { json, stale: true });
      const old = new EncryptionTransformer(secretsWith(key('key0', 9)), 'old.yaml').toStorage('secrets', 'secrets/default/db', json);
      const rotated = new EncryptionTransformer(secretsWith(key('key1', 1), key('key0', 9)), 'test.yaml');
      assert.deepEqual(rotated.fromStorage('secrets', 'secrets/default/db', old), { json, stale: true });
    });

    it('a wrong key, a missing key, a moved value or no identity provider is a clear error, never garbage', () => {
      const stored = transformer.toStorage('secrets', 'secrets/default/db', json);
      const wrong = new EncryptionTransformer(secretsWith(key('key1', 2)), 'wrong.yaml');
      assert.throws(() => wrong.fromStorage('secrets', 'secrets/default/db', stored), /aesgcm key "key1" does not decrypt it \(the authentication tag does not match/);
      const other = new EncryptionTransformer(secretsWith(key('key2', 1)), 'other.yaml');
      assert.throws(() => other.fromStorage('secrets', 'secrets/default/db', stored), /encrypted with aesgcm key "key1", which other.yaml does not have/);
      // The storage key is authenticated: a ciphertext copied onto another Secret's line does not decrypt there.
      assert.throws(() => transformer.fromStorage('secrets', 'secrets/default/other', stored), /does not decrypt it/);
      const noIdentity = new EncryptionTransformer([{ resources: ['secrets'], providers: [{ type: 'aesgcm', keys: [key('key1', 1)] }] }], 'strict.yaml');
      assert.throws(() => noIdentity.fromStorage('secrets', 'secrets/default/db', json), /stored unencrypted, and strict.yaml lists no identity provider/);
      assert.throws(() => transformer.fromStorage('secrets', 'secrets/default/db', 'k8s:enc:kms:v2:x:abc'), /k8s:enc:kms:\.\.\., a provider kubelab does not have/);
    });
  });

  describe('encryption-config.yaml (EncryptionConfiguration)', () => {
    it('round-trips the default (Secrets: aesgcm with one new 32-byte key, then identity)', () => {
      const rules = defaultEncryptionConfig();
      const text = formatEncryptionConfig(rules);
      assert.match(text, /apiVersion: apiserver.config.k8s.io\/v1\nkind: EncryptionConfiguration\n/);
      assert.deepEqual(parseEncryptionConfig(text, 'f.yaml'), rules);
      assert.equal((rules[0]!.providers[0] as { keys: AesGcmKey[] }).keys[0]!.secret.length, 32);
    });

    it('refuses what it does not honour, naming the field', () => {
      const base = (providers: string) => `apiVersion: apiserver.config.k8s.io/v1\nkind: EncryptionConfiguration\nresources:\n  - resources: [secrets]\n    providers:\n${providers}`;
      const cases: [string, RegExp][] = [
        [base('      - aescbc:\n          keys: [{name: k, secret: AAAAAAAAAAAAAAAAAAAAAA==}]\n'), /resources\[0\]\.providers\[0\]: provider aescbc is not supported by kubelab/],
        [base('      - aesgcm:\n          keys: [{name: k, secret: c2hvcnQ=}]\n'), /resources\[0\]\.providers\[0\]\.aesgcm\.keys\[0\]\.secret: must be the base64 of 16, 24 or 32 random bytes/],
        [base('      - aesgcm:\n          keys: [{name: k, secret: AAAAAAAAAAAAAAAAAAAAAA==}, {name: k, secret: AAAAAAAAAAAAAAAAAAAAAA==}]\n'), /keys\[1\]\.name: key name k is used twice/],
        [base('      - identity: {}\n') + 'extra: 1\n', /f.yaml: extra: unknown field/],
        [base('      - identity: {}\n').replace('[secrets]', '["*.apps"]'), /resources\[0\]\.resources\[0\]: "\*\.apps" is not a resource name/],
      ];
      for (const [text, expected] of cases) assert.throws(() => parseEncryptionConfig(text, 'f.yaml'), expected);
    });

    it('plans a rotation: the new key writes, the old ones read; afterwards only the new one stays', () => {
      const plan = planNewWriteKey(secretsWith(key('key1', 1)), (name) => key(name, 2));
      assert.equal(plan.key.name, 'key2');
      assert.deepEqual(plan.oldKeys, ['key1']);
      assert.deepEqual(plan.rules, secretsWith(key('key2', 2), key('key1', 1)));
      assert.deepEqual(planDropOldKeys(plan.rules, 'key2'), secretsWith(key('key2', 2)));
      assert.throws(() => planNewWriteKey([{ resources: ['secrets'], providers: [{ type: 'identity' }] }]), /no resource is written with aesgcm/);
    });
  });

  describe('the store with the registry, on disk', () => {
    let dataDir: string;
    const storeDir = () => path.join(dataDir, 'store');
    const openRegistry = async () => {
      const store = new NedbObjectStore({ dataDir: storeDir(), transformer: await ensureEncryption(dataDir) });
      await store.open();
      const registry = new ResourceRegistry({ store });
      await registry.ensureSystemNamespaces();
      return { store, registry };
    };

    beforeEach(async () => {
      dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'kubelab-encryption-'));
    });
    afterEach(async () => {
      await fs.rm(dataDir, { recursive: true, force: true });
    });

    it('makes a 0600 key file; the data dir holds neither a Secret\'s value nor its base64; a restart reads it back', async () => {
      const first = await openRegistry();
      await first.registry.create('secrets', 'default', secret('db'), internalContext());
      await first.registry.create('configmaps', 'default', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'plain' }, data: { note: 'not-a-secret' } } as KubeObject, internalContext());
      const before = await first.registry.get('secrets', 'default', 'db', internalContext());
      // Before close too: the append-only log is what a crash leaves behind.
      for (const raw of [await rawBytesUnder(storeDir()), (await first.store.close(), await rawBytesUnder(storeDir()))]) {
        assert.ok(!raw.includes(PLAIN) && !raw.includes(BASE64), 'no plain value, no base64');
        assert.match(raw, /"json":"k8s:enc:aesgcm:v1:key1:/);
        assert.match(raw, /not-a-secret/, 'ConfigMaps are not encrypted');
      }
      assert.equal(((await fs.stat(encryptionConfigPath(dataDir))).mode & 0o777).toString(8), '600');

      const second = await openRegistry();
      assert.deepEqual(await second.registry.get('secrets', 'default', 'db', internalContext()), before);
      await second.store.close();
    });

    it('rewrites Secrets stored in plaintext (before encryption) at open, keeping their resourceVersion, and compacts the old lines away', async () => {
      const old = new NedbObjectStore({ dataDir: storeDir() });
      await old.open();
      const created = await old.create('secrets', secret('legacy'));
      await old.close();
      assert.match(await rawBytesUnder(storeDir()), new RegExp(BASE64));

      const { store } = await openRegistry();
      assert.equal(store.rewrittenOnOpen(), 1);
      assert.deepEqual(await store.get('secrets', 'default', 'legacy'), created);
      const raw = await rawBytesUnder(storeDir());
      assert.ok(!raw.includes(BASE64) && !raw.includes(PLAIN));
      await store.close();
    });

    it('rotates the key end to end: every Secret rewritten with key2, key1 dropped, reads still work', async () => {
      const first = await openRegistry();
      for (const name of ['a', 'b', 'c']) await first.registry.create('secrets', 'default', secret(name), internalContext());
      await first.store.close();

      const result = await rotateEncryptionKey(dataDir);
      assert.deepEqual(result, { newKey: 'key2', rewritten: 3, removedKeys: ['key1'] });
      const config = await readEncryptionConfig(dataDir);
      assert.deepEqual((config![0]!.providers[0] as { keys: AesGcmKey[] }).keys.map((k) => k.name), ['key2']);
      const raw = await rawBytesUnder(storeDir());
      assert.equal(raw.match(/k8s:enc:aesgcm:v1:key2:/g)?.length, 3);
      assert.ok(!raw.includes('k8s:enc:aesgcm:v1:key1:') && !raw.includes(BASE64));

      const second = await openRegistry();
      for (const name of ['a', 'b', 'c']) assert.equal((await second.registry.get('secrets', 'default', name, internalContext()) as { data?: Record<string, string> }).data?.password, BASE64);
      await second.store.close();
      assert.equal((await rotateEncryptionKey(dataDir)).newKey, 'key3');
    });

    it('a lost key file stops the store with an error naming the objects and the key, and changes nothing', async () => {
      const first = await openRegistry();
      await first.registry.create('secrets', 'default', secret('db'), internalContext());
      await first.store.close();
      const datafile = await fs.readFile(path.join(storeDir(), 'objects.db'), 'utf8');

      await fs.rm(encryptionConfigPath(dataDir)); // the next start makes a new, different key1
      await assert.rejects(openRegistry(), (err: Error) => {
        assert.match(err.message, /cannot read 1 object\(s\) of .*objects\.db, so the store does not open/);
        assert.match(err.message, /secrets\/default\/db: aesgcm key "key1" does not decrypt it/);
        return true;
      });
      assert.equal(await fs.readFile(path.join(storeDir(), 'objects.db'), 'utf8'), datafile);
    });

    it('rotation refuses to run while another process holds the store', async () => {
      const first = await openRegistry();
      await first.store.close();
      // A live process that is not this one, as a running server would be.
      const other = spawn('sleep', ['30']);
      try {
        await fs.writeFile(path.join(storeDir(), 'LOCK'), `${other.pid}\n`);
        await assert.rejects(rotateEncryptionKey(dataDir), new RegExp(`the store in .* is in use by process ${other.pid} \\(a running kubelabd server\\?\\): stop it first`));
      } finally {
        other.kill();
      }
    });
  });
});
