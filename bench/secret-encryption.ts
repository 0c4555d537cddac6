// What encryption at rest costs a Secret write: AES-256-GCM of the object's JSON alone, and a
// whole store write (nedb append, memory, watchers) with and without it, in batches taken in turn
// so the machine's noise hits both sides alike. Medians only. Runs alone with
// `npx tsx bench/secret-encryption.ts`, and as part of npm run bench.

import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { defaultEncryptionConfig } from '../daemon/store/encryption-config.js';
import { NedbObjectStore } from '../daemon/store/nedb-store.js';
import { EncryptionTransformer } from '../daemon/store/storage-transformer.js';
import { median } from './stats.js';

export interface SecretEncryptionBench {
  /** Microseconds to encrypt one Secret's JSON, by its size in bytes. */
  encryptMicros: { bytes: number; micros: number }[];
  /** Milliseconds per store create of a small Secret, plain and encrypted. */
  storeWriteMs: { plain: number; encrypted: number };
}

const secretOf = (name: string, valueBytes: number) => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name, namespace: 'default', uid: '0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0', resourceVersion: '12345', creationTimestamp: '2026-01-01T00:00:00Z' },
  type: 'Opaque',
  data: { username: 'cm9vdA==', password: Buffer.alloc(valueBytes, 'x').toString('base64') },
});

export async function benchSecretEncryption(): Promise<SecretEncryptionBench> {
  const transformer = new EncryptionTransformer(defaultEncryptionConfig(), 'bench');
  const encryptMicros = [];
  for (const valueBytes of [16, 4096, 65536]) {
    const json = JSON.stringify(secretOf('db', valueBytes));
    const batches: number[] = [];
    for (let batch = 0; batch < 15; batch++) {
      const n = valueBytes > 10_000 ? 200 : 2000;
      const start = process.hrtime.bigint();
      for (let i = 0; i < n; i++) transformer.toStorage('secrets', 'secrets/default/db', json);
      batches.push(Number(process.hrtime.bigint() - start) / 1000 / n);
    }
    encryptMicros.push({ bytes: Buffer.byteLength(json), micros: median(batches) });
  }

  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'kubelab-bench-encryption-'));
  const stores = {
    plain: new NedbObjectStore({ dataDir: path.join(dir, 'plain') }),
    encrypted: new NedbObjectStore({ dataDir: path.join(dir, 'encrypted'), transformer }),
  };
  const perWrite: { plain: number[]; encrypted: number[] } = { plain: [], encrypted: [] };
  try {
    for (const store of Object.values(stores)) await store.open();
    for (let round = 0; round < 10; round++) {
      for (const side of ['plain', 'encrypted'] as const) {
        const start = process.hrtime.bigint();
        for (let i = 0; i < 200; i++) await stores[side].create('secrets', secretOf(`s-${round}-${i}`, 16));
        perWrite[side].push(Number(process.hrtime.bigint() - start) / 1e6 / 200);
      }
    }
  } finally {
    for (const store of Object.values(stores)) await store.close();
    await fs.rm(dir, { recursive: true, force: true });
  }
  return { encryptMicros, storeWriteMs: { plain: median(perWrite.plain), encrypted: median(perWrite.encrypted) } };
}

export function formatSecretEncryption(r: SecretEncryptionBench): string {
  const lines = r.encryptMicros.map((e) => `  AES-256-GCM of a ${e.bytes}-byte Secret: ${e.micros.toFixed(1)} µs`);
  const { plain, encrypted } = r.storeWriteMs;
  lines.push(`  store create of a small Secret: ${plain.toFixed(3)} ms plain, ${encrypted.toFixed(3)} ms encrypted (+${((encrypted - plain) * 1000).toFixed(0)} µs)`);
  return `Secret encryption at rest (medians)\n${lines.join('\n')}`;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.log(formatSecretEncryption(await benchSecretEncryption()));
}
