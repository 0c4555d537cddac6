// Encryption at rest: what kube-apiserver's EncryptionConfiguration does between the API and etcd
// (k8s.io/apiserver/pkg/storage/value), for the resources the configuration names (Secrets by
// default, daemon/store/encryption-config.ts).
//
// The store hands every object's JSON to a transformer on its way to disk and back. For a
// configured resource the first provider of its list writes; every provider may read:
//
//   aesgcm    k8s:enc:aesgcm:v1:<key name>:<base64 of nonce(12) | ciphertext | tag(16)>
//   identity  the JSON as it is (the object is stored unencrypted)
//
// The prefix is Kubernetes' own: it names the provider and the key, so a reader knows which key
// decrypts a value without trying them all, and a configuration may keep old keys for reading
// while a new one writes (key rotation). Kubernetes stores the nonce and ciphertext as raw bytes
// in etcd; nedb's datafile is text, so they are base64 here.
//
// Three choices that teach how authenticated encryption is used:
// - AES-GCM authenticates as well as encrypts: a wrong key or a changed byte makes decryption
//   fail (the 16-byte tag does not match), so a wrong key gives an error, never garbage.
// - The object's storage key (`secrets/default/db`) is the additional authenticated data, as
//   Kubernetes' aesgcm binds a value to its etcd key: a ciphertext copied to another Secret's
//   line on disk does not decrypt there.
// - Every write takes a fresh random 96-bit nonce. GCM breaks down if a nonce repeats under one
//   key; with random nonces NIST bounds one key to 2^32 encryptions, far beyond a lab's Secret
//   writes, but the reason keys are rotated now and then.
//
// A value not written by the write provider (plain JSON from before encryption was turned on, or
// ciphertext under an older key) is "stale": the store rewrites it when it opens
// (nedb-store.ts), so no old form lingers on disk.

import crypto from 'node:crypto';

/** What the store asks of encryption at rest. `key` is the object's storage key, `secrets/ns/name`. */
export interface StorageTransformer {
  /** The form of one object's JSON on disk. */
  toStorage(resource: string, key: string, json: string): string;
  /** The JSON back; `stale` when the value is not in the form toStorage writes now (rewrite it). */
  fromStorage(resource: string, key: string, stored: string): { json: string; stale: boolean };
}

/** One AES key: its name (in the on-disk prefix) and 16, 24 or 32 bytes (AES-128/192/256). */
export interface AesGcmKey {
  name: string;
  secret: Buffer;
}

export type EncryptionProvider = { type: 'aesgcm'; keys: AesGcmKey[] } | { type: 'identity' };

/** One entry of EncryptionConfiguration's `resources`: these resources, these providers (the first writes). */
export interface ResourceEncryption {
  resources: string[];
  providers: EncryptionProvider[];
}

/** Kubernetes' marker of an encrypted value; plain JSON always starts with `{`. */
export const ENCRYPTED_PREFIX = 'k8s:enc:';
export const AESGCM_PREFIX = `${ENCRYPTED_PREFIX}aesgcm:v1:`;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

/** The prefix of values written with one key: `k8s:enc:aesgcm:v1:<name>:`. */
export const aesGcmPrefix = (keyName: string): string => `${AESGCM_PREFIX}${keyName}:`;

export function encryptAesGcm(key: AesGcmKey, storageKey: string, plaintext: string): string {
  const nonce = crypto.randomBytes(NONCE_BYTES);
  const cipher = crypto.createCipheriv(`aes-${key.secret.length * 8}-gcm` as crypto.CipherGCMTypes, key.secret, nonce);
  cipher.setAAD(Buffer.from(storageKey));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return aesGcmPrefix(key.name) + Buffer.concat([nonce, ciphertext, cipher.getAuthTag()]).toString('base64');
}

/** Throws when the key is not the one that wrote the value, or the value was changed. */
export function decryptAesGcm(key: AesGcmKey, storageKey: string, sealedBase64: string): string {
  const sealed = Buffer.from(sealedBase64, 'base64');
  if (sealed.length < NONCE_BYTES + TAG_BYTES) throw new Error('the encrypted value is too short to hold a nonce and a tag (a truncated file?)');
  const decipher = crypto.createDecipheriv(`aes-${key.secret.length * 8}-gcm` as crypto.CipherGCMTypes, key.secret, sealed.subarray(0, NONCE_BYTES));
  decipher.setAAD(Buffer.from(storageKey));
  decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
  try {
    return Buffer.concat([decipher.update(sealed.subarray(NONCE_BYTES, sealed.length - TAG_BYTES)), decipher.final()]).toString('utf8');
  } catch (err) {
    throw new Error(
      `aesgcm key "${key.name}" does not decrypt it (the authentication tag does not match: a different key under the same name, or a changed file)`,
      { cause: err },
    );
  }
}

/** The transformer an EncryptionConfiguration describes. `source` names the configuration file in errors. */
export class EncryptionTransformer implements StorageTransformer {
  private readonly byResource = new Map<string, ResourceEncryption>();

  constructor(
    rules: ResourceEncryption[],
    private readonly source: string,
  ) {
    for (const rule of rules) for (const resource of rule.resources) this.byResource.set(resource, rule);
  }

  /** The resources whose writes are encrypted (the first provider is aesgcm). */
  encryptedResources(): string[] {
    return [...this.byResource].filter(([, rule]) => rule.providers[0]?.type === 'aesgcm').map(([resource]) => resource);
  }

  toStorage(resource: string, key: string, json: string): string {
    const writer = this.byResource.get(resource)?.providers[0];
    if (writer?.type !== 'aesgcm') return json;
    return encryptAesGcm(writer.keys[0]!, key, json);
  }

  fromStorage(resource: string, storageKey: string, stored: string): { json: string; stale: boolean } {
    const rule = this.byResource.get(resource);
    const writer = rule?.providers[0];
    if (!stored.startsWith(ENCRYPTED_PREFIX)) {
      // Unencrypted: readable when identity is among the providers (or the resource is not configured at all).
      if (rule && !rule.providers.some((p) => p.type === 'identity')) {
        throw new Error(`it is stored unencrypted, and ${this.source} lists no identity provider for ${resource} to read it: add "- identity: {}" as the last provider`);
      }
      return { json: stored, stale: writer !== undefined && writer.type !== 'identity' };
    }
    if (!stored.startsWith(AESGCM_PREFIX)) {
      throw new Error(`it is stored as ${stored.slice(0, stored.indexOf(':', ENCRYPTED_PREFIX.length) + 1)}..., a provider kubelab does not have (only aesgcm and identity)`);
    }
    const nameEnd = stored.indexOf(':', AESGCM_PREFIX.length);
    if (nameEnd < 0) throw new Error(`its ${AESGCM_PREFIX} value names no key (a truncated file?)`);
    const keyName = stored.slice(AESGCM_PREFIX.length, nameEnd);
    const key = rule?.providers.flatMap((p) => (p.type === 'aesgcm' ? p.keys : [])).find((k) => k.name === keyName);
    if (!key) {
      throw new Error(
        `it is encrypted with aesgcm key "${keyName}", which ${this.source} does not have` +
          `${rule ? '' : ` (it configures no encryption for ${resource})`}: restore the configuration that holds that key`,
      );
    }
    const json = decryptAesGcm(key, storageKey, stored.slice(nameEnd + 1));
    return { json, stale: !(writer?.type === 'aesgcm' && writer.keys[0]!.name === keyName) };
  }
}
