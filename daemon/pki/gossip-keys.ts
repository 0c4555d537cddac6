// The gossip keyring on disk: `<dataDir>/gossip-keyring.json`, mode 0600, made by the server at
// its first start with one random 32-byte key, and rewritten by each rotation (POST
// /kubelab/v1/gossip-keyring/rotate, daemon/api/gossip-keyring.ts). A restarted server keeps its
// keys, so agents that fetched them keep gossiping. See network/gossip/keyring.ts for how the ring
// rotates.
//
// Several API servers must hand nodes the same ring, or nodes fetching from different servers
// would stop understanding each other after a rotation. So the ring also lives in the store, in
// the Secret kube-system/kubelab-gossip-keyring (shareThrough): at start a server adopts the
// Secret's keys (or publishes its own when there is none yet), every server watches it, and a
// rotation on any server is a resourceVersion-guarded update of it (two rotations at once: one
// gets a 409). The file stays as each server's copy: what a restart reads before the store is up,
// and what the server bootstrap hands a joining server.

import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { writePrivateFile } from '../../lib/client/private-file.js';
import { GossipKeyring, rotateKeys, type GossipKey } from '../../network/gossip/keyring.js';
import { GOSSIP_KEY_DEFAULTS } from '../config.js';
import { restrictFileIfPresent } from '../private-files.js';
import type { Secret } from '../../lib/api/types.js';
import { isAlreadyExists, isNotFound } from '../../lib/errors.js';
import { logger } from '../../lib/logger.js';
import { internalContext, type Registry } from '../api/registry.js';

/** The Secret every server keeps the ring in (type kubelab.io/gossip-keyring, key keyring.json). */
export const GOSSIP_KEYRING_SECRET = { namespace: 'kube-system', name: 'kubelab-gossip-keyring', type: 'kubelab.io/gossip-keyring', key: 'keyring.json' } as const;

export const GOSSIP_KEYRING_FILE = 'gossip-keyring.json';

const newKey = (): string => crypto.randomBytes(32).toString('hex');

/** The keyring's JSON form, as the file holds it and the API serves it. */
export interface GossipKeyringDocument {
  keys: { key: string; addedAt: string }[];
}

export const keyringDocument = (keys: readonly GossipKey[]): GossipKeyringDocument => ({
  keys: keys.map((k) => ({ key: k.key, addedAt: new Date(k.addedAtMs).toISOString() })),
});

/** Reads a keyring document (the file, or the API's answer); throws an Error naming `where`. */
export function keysOfDocument(doc: unknown, where: string): GossipKey[] {
  const keys = (doc as GossipKeyringDocument | undefined)?.keys;
  if (!Array.isArray(keys) || keys.length === 0) throw new Error(`${where} holds no gossip keys ({"keys": [{"key": "<hex>", "addedAt": "<time>"}]})`);
  return keys.map((k, i) => {
    const addedAtMs = Date.parse(k?.addedAt);
    if (typeof k?.key !== 'string' || !/^[0-9a-f]{32,}$/.test(k.key) || !Number.isFinite(addedAtMs)) {
      throw new Error(`${where}: keys[${i}] must be {"key": "<at least 32 hex digits>", "addedAt": "<ISO time>"}`);
    }
    return { key: k.key, addedAtMs };
  });
}

/** The server's keyring: loaded from (or first made in) the data dir, rotated and saved. */
export class GossipKeyStore {
  private registry?: Registry;
  private stopWatch: () => void = () => {};

  private constructor(
    private readonly file: string,
    readonly keyring: GossipKeyring,
  ) {}

  /**
   * Keeps the ring in the store's Secret from now on: adopts the Secret's keys (another server
   * made or rotated them), or publishes this server's own when there is none, then follows it.
   */
  async shareThrough(registry: Registry): Promise<void> {
    const { namespace, name } = GOSSIP_KEYRING_SECRET;
    const ctx = internalContext();
    for (let attempt = 0; ; attempt++) {
      const existing = await registry.get('secrets', namespace, name, ctx).catch((err: unknown) => (isNotFound(err) ? undefined : Promise.reject(err)));
      if (existing) {
        await this.adopt(existing as Secret);
        break;
      }
      try {
        await registry.create('secrets', namespace, keyringSecret(this.keyring.list()), ctx);
        break;
      } catch (err) {
        if (!isAlreadyExists(err) || attempt >= 4) throw err; // another server published first: adopt its ring
      }
    }
    this.registry = registry;
    this.stopWatch = registry.watch('secrets', { namespace }, ctx, (event) => {
      if ((event.type === 'ADDED' || event.type === 'MODIFIED') && event.object.metadata.name === name) {
        this.adopt(event.object as Secret).catch((err: unknown) => logger('kubelabd').warn(`adopting the gossip keys of Secret ${namespace}/${name}`, { err }));
      }
    });
  }

  stop(): void {
    this.stopWatch();
  }

  /** Takes the keys of the store's Secret, when they differ from this server's. */
  private async adopt(secret: Secret): Promise<void> {
    const { namespace, name, key } = GOSSIP_KEYRING_SECRET;
    const where = `Secret ${namespace}/${name}`;
    let doc: unknown;
    try {
      doc = JSON.parse(Buffer.from(secret.data?.[key] ?? '', 'base64').toString());
    } catch (err) {
      throw new Error(`${where} does not hold a gossip keyring in ${key}`, { cause: err });
    }
    const keys = keysOfDocument(doc, where);
    if (JSON.stringify(keyringDocument(keys)) === JSON.stringify(keyringDocument(this.keyring.list()))) return;
    await writePrivateFile(this.file, JSON.stringify(keyringDocument(keys), null, 2) + '\n');
    this.keyring.replace(keys);
  }

  static async open(dataDir: string, activationDelayMs: number = GOSSIP_KEY_DEFAULTS.activationDelayMs): Promise<GossipKeyStore> {
    const file = path.join(dataDir, GOSSIP_KEYRING_FILE);
    let text: string | undefined;
    try {
      text = await fs.readFile(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    if (text === undefined) {
      const keys = [{ key: newKey(), addedAtMs: Date.now() }];
      await writePrivateFile(file, JSON.stringify(keyringDocument(keys), null, 2) + '\n');
      return new GossipKeyStore(file, new GossipKeyring(keys, activationDelayMs));
    }
    await restrictFileIfPresent(file);
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch (err) {
      throw new Error(`${file} is not JSON (${(err as Error).message}); remove it to make a new gossip key (every agent then fetches it within a minute)`, { cause: err });
    }
    return new GossipKeyStore(file, new GossipKeyring(keysOfDocument(doc, file), activationDelayMs));
  }

  /** Adds a new random key (signing after the activation delay), saves the ring, and returns it. */
  async rotate(nowMs = Date.now()): Promise<GossipKeyringDocument> {
    if (this.registry) {
      // Shared: rotate what the store holds, guarded by its resourceVersion (a concurrent rotation on another server is a 409).
      const { namespace, name } = GOSSIP_KEYRING_SECRET;
      const current = (await this.registry.get('secrets', namespace, name, internalContext())) as Secret;
      await this.adopt(current);
      const keys = rotateKeys(this.keyring.list(), newKey(), nowMs, this.keyring.activationDelayMs);
      const updated = (await this.registry.update('secrets', namespace, name, { ...current, data: keyringSecret(keys).data }, internalContext())) as Secret;
      await this.adopt(updated);
      return keyringDocument(keys);
    }
    const keys = rotateKeys(this.keyring.list(), newKey(), nowMs, this.keyring.activationDelayMs);
    await writePrivateFile(this.file, JSON.stringify(keyringDocument(keys), null, 2) + '\n');
    this.keyring.replace(keys);
    return keyringDocument(keys);
  }
}

function keyringSecret(keys: readonly GossipKey[]): Secret {
  const { namespace, name, type, key } = GOSSIP_KEYRING_SECRET;
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace },
    type,
    data: { [key]: Buffer.from(JSON.stringify(keyringDocument(keys))).toString('base64') },
  } as Secret;
}
