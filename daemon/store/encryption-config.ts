// The encryption configuration file, `<data-dir>/encryption-config.yaml` (mode 0600): which
// resources are encrypted at rest and with which keys, in kube-apiserver's own format
// (--encryption-provider-config), so what a student learns here reads the same in Kubernetes:
//
//   apiVersion: apiserver.config.k8s.io/v1
//   kind: EncryptionConfiguration
//   resources:
//     - resources: [secrets]
//       providers:
//         - aesgcm:                 # the first provider writes
//             keys:
//               - name: key2        # the first key encrypts; every key listed decrypts
//                 secret: <base64 of 32 random bytes>
//               - name: key1
//                 secret: <base64>
//         - identity: {}            # reads values stored before encryption was turned on
//
// A server that finds no file writes one like this with a single new key: Secrets are encrypted
// by default. Of Kubernetes' providers kubelab has aesgcm and identity; aescbc, secretbox and kms
// are refused by name, as is any field this file does not know, never ignored.
//
// Pure parsing and planning here; storage-transformer.ts encrypts, rotate-encryption-key.ts
// performs a rotation.

import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { writePrivateFile } from '../../lib/client/private-file.js';
import { restrictFileIfPresent } from '../private-files.js';
import { EncryptionTransformer, type AesGcmKey, type EncryptionProvider, type ResourceEncryption } from './storage-transformer.js';

export const ENCRYPTION_CONFIG_FILE = 'encryption-config.yaml';
const API_VERSION = 'apiserver.config.k8s.io/v1';
const KIND = 'EncryptionConfiguration';
/** AES-256: Kubernetes' aesgcm accepts 16, 24 or 32-byte keys; new ones are 32. */
const NEW_KEY_BYTES = 32;

/** A new random AES-256 key. */
export function newAesGcmKey(name: string): AesGcmKey {
  return { name, secret: crypto.randomBytes(NEW_KEY_BYTES) };
}

/** What a server writes when there is no file: Secrets encrypted with one new key; unencrypted ones still readable. */
export function defaultEncryptionConfig(): ResourceEncryption[] {
  return [{ resources: ['secrets'], providers: [{ type: 'aesgcm', keys: [newAesGcmKey('key1')] }, { type: 'identity' }] }];
}

export function formatEncryptionConfig(rules: ResourceEncryption[]): string {
  return stringify({
    apiVersion: API_VERSION,
    kind: KIND,
    resources: rules.map((rule) => ({
      resources: rule.resources,
      providers: rule.providers.map((p) =>
        p.type === 'identity' ? { identity: {} } : { aesgcm: { keys: p.keys.map((k) => ({ name: k.name, secret: k.secret.toString('base64') })) } },
      ),
    })),
  });
}

type Loose = Record<string, unknown>;
const isObject = (v: unknown): v is Loose => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Parses and checks the file's text; every error names the file and the field. */
export function parseEncryptionConfig(text: string, file: string): ResourceEncryption[] {
  const fail = (field: string, why: string): never => {
    throw new Error(`${file}: ${field}: ${why}`);
  };
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    throw new Error(`${file} is not YAML: ${(err as Error).message}`, { cause: err });
  }
  if (!isObject(doc)) return fail('(root)', 'must be an EncryptionConfiguration object');
  onlyKnown(doc, ['apiVersion', 'kind', 'resources'], '', fail);
  if (doc.apiVersion !== API_VERSION) fail('apiVersion', `must be ${API_VERSION}`);
  if (doc.kind !== KIND) fail('kind', `must be ${KIND}`);
  if (!Array.isArray(doc.resources) || doc.resources.length === 0) return fail('resources', 'must be a non-empty list');

  const seenResources = new Set<string>();
  const seenKeys = new Set<string>();
  return doc.resources.map((entry: unknown, i): ResourceEncryption => {
    const at = `resources[${i}]`;
    if (!isObject(entry)) return fail(at, 'must be an object with resources and providers');
    onlyKnown(entry, ['resources', 'providers'], at, fail);
    if (!Array.isArray(entry.resources) || entry.resources.length === 0) return fail(`${at}.resources`, 'must be a non-empty list of resource names, e.g. [secrets]');
    const resources = entry.resources.map((r: unknown, j) => {
      if (typeof r !== 'string' || !/^[a-z0-9]+$/.test(r)) {
        return fail(`${at}.resources[${j}]`, `${JSON.stringify(r)} is not a resource name kubelab stores (plain lower-case plurals such as secrets; no groups or wildcards)`);
      }
      if (seenResources.has(r)) fail(`${at}.resources[${j}]`, `${r} is configured twice`);
      seenResources.add(r);
      return r;
    });
    if (!Array.isArray(entry.providers) || entry.providers.length === 0) return fail(`${at}.providers`, 'must be a non-empty list (the first provider writes)');
    const providers = entry.providers.map((p: unknown, j): EncryptionProvider => {
      const pat = `${at}.providers[${j}]`;
      if (!isObject(p) || Object.keys(p).length !== 1) return fail(pat, 'must name exactly one provider: aesgcm or identity');
      const [type] = Object.keys(p);
      if (type === 'identity') return { type: 'identity' };
      if (type !== 'aesgcm') return fail(pat, `provider ${type} is not supported by kubelab (only aesgcm and identity)`);
      const body = p.aesgcm;
      if (!isObject(body)) return fail(`${pat}.aesgcm`, 'must hold keys');
      onlyKnown(body, ['keys'], `${pat}.aesgcm`, fail);
      if (!Array.isArray(body.keys) || body.keys.length === 0) return fail(`${pat}.aesgcm.keys`, 'must be a non-empty list (the first key encrypts)');
      const keys = body.keys.map((k: unknown, n): AesGcmKey => {
        const kat = `${pat}.aesgcm.keys[${n}]`;
        if (!isObject(k)) return fail(kat, 'must be {name, secret}');
        onlyKnown(k, ['name', 'secret'], kat, fail);
        if (typeof k.name !== 'string' || !/^[A-Za-z0-9._-]+$/.test(k.name)) return fail(`${kat}.name`, 'must be a non-empty name of letters, digits, ".", "_" or "-"');
        if (seenKeys.has(k.name)) fail(`${kat}.name`, `key name ${k.name} is used twice (the name in each stored value picks its key)`);
        seenKeys.add(k.name);
        const secret = typeof k.secret === 'string' && /^[A-Za-z0-9+/]+={0,2}$/.test(k.secret) ? Buffer.from(k.secret, 'base64') : undefined;
        if (!secret || ![16, 24, 32].includes(secret.length)) return fail(`${kat}.secret`, 'must be the base64 of 16, 24 or 32 random bytes (head -c 32 /dev/urandom | base64)');
        return { name: k.name, secret };
      });
      return { type: 'aesgcm', keys };
    });
    return { resources, providers };
  });
}

function onlyKnown(object: Loose, known: string[], at: string, fail: (field: string, why: string) => never): void {
  for (const field of Object.keys(object)) if (!known.includes(field)) fail(at ? `${at}.${field}` : field, `unknown field (known: ${known.join(', ')})`);
}

/**
 * A rotation's first step, pure: a new key `keyN` (N one more than any key's number) goes first in
 * every aesgcm provider that writes, so new writes use it while the old keys still read.
 */
export function planNewWriteKey(rules: ResourceEncryption[], newKey: (name: string) => AesGcmKey = newAesGcmKey): { rules: ResourceEncryption[]; key: AesGcmKey; oldKeys: string[] } {
  const names = rules.flatMap((r) => r.providers.flatMap((p) => (p.type === 'aesgcm' ? p.keys.map((k) => k.name) : [])));
  const highest = Math.max(0, ...names.map((n) => Number(/^key(\d+)$/.exec(n)?.[1] ?? 0)));
  const key = newKey(`key${highest + 1}`);
  let writers = 0;
  const next = rules.map((rule) => {
    const [first, ...rest] = rule.providers;
    if (first?.type !== 'aesgcm') return rule;
    writers += 1;
    return { ...rule, providers: [{ type: 'aesgcm' as const, keys: [key, ...first.keys] }, ...rest] };
  });
  if (writers === 0) throw new Error('no resource is written with aesgcm (its first provider): there is no key to rotate; put an aesgcm provider first');
  return { rules: next, key, oldKeys: names };
}

/** A rotation's last step, pure: only the write key stays in each aesgcm provider. */
export function planDropOldKeys(rules: ResourceEncryption[], keep: string): ResourceEncryption[] {
  return rules.map((rule) => ({
    ...rule,
    providers: rule.providers.map((p) => (p.type === 'aesgcm' ? { type: 'aesgcm' as const, keys: p.keys.filter((k) => k.name === keep) } : p)),
  })).map((rule) => ({ ...rule, providers: rule.providers.filter((p) => p.type !== 'aesgcm' || p.keys.length > 0) }));
}

export const encryptionConfigPath = (dataDir: string): string => path.join(dataDir, ENCRYPTION_CONFIG_FILE);

/** Reads `<dataDir>/encryption-config.yaml`; undefined when there is none. Makes it 0600 first. */
export async function readEncryptionConfig(dataDir: string): Promise<ResourceEncryption[] | undefined> {
  const file = encryptionConfigPath(dataDir);
  await restrictFileIfPresent(file);
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  return parseEncryptionConfig(text, file);
}

export async function writeEncryptionConfig(dataDir: string, rules: ResourceEncryption[]): Promise<void> {
  await writePrivateFile(encryptionConfigPath(dataDir), formatEncryptionConfig(rules));
}

/** The server's transformer: from the file, or from a new default file (Secrets encrypted with a new key). */
export async function ensureEncryption(dataDir: string): Promise<EncryptionTransformer> {
  let rules = await readEncryptionConfig(dataDir);
  if (!rules) {
    rules = defaultEncryptionConfig();
    await writeEncryptionConfig(dataDir, rules);
  }
  return new EncryptionTransformer(rules, encryptionConfigPath(dataDir));
}
