// The gossip keyring on disk: `<dataDir>/gossip-keyring.json`, mode 0600, made by the server at
// its first start with one random 32-byte key, and rewritten by each rotation (POST
// /kubelab/v1/gossip-keyring/rotate, daemon/api/gossip-keyring.ts). A restarted server keeps its
// keys, so agents that fetched them keep gossiping. See network/gossip/keyring.ts for how the ring
// rotates.

import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { writePrivateFile } from '../../lib/client/private-file.js';
import { GossipKeyring, rotateKeys, type GossipKey } from '../../network/gossip/keyring.js';
import { GOSSIP_KEY_DEFAULTS } from '../config.js';
import { restrictFileIfPresent } from '../private-files.js';

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
  private constructor(
    private readonly file: string,
    readonly keyring: GossipKeyring,
  ) {}

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
    const keys = rotateKeys(this.keyring.list(), newKey(), nowMs, this.keyring.activationDelayMs);
    await writePrivateFile(this.file, JSON.stringify(keyringDocument(keys), null, 2) + '\n');
    this.keyring.replace(keys);
    return keyringDocument(keys);
  }
}
