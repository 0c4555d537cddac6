import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { writeEncryptionConfig, defaultEncryptionConfig, readEncryptionConfig } from '../../daemon/store/encryption-config.js';
import { rotateEncryptionKey } from '../../daemon/store/rotate-encryption-key.js';
import { writeStoreBackendMarker } from '../../daemon/store/store-backend-marker.js';

describe('kubelabd encryption rotate-key on a server whose store is etcd', () => {
  let dataDir: string;
  beforeEach(async () => {
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'kubelab-rotate-etcd-'));
  });
  afterEach(async () => {
    await fs.rm(dataDir, { recursive: true, force: true });
  });

  it('refuses, saying why, and changes nothing (no key dropped that etcd\'s Secrets need, no nedb store made)', async () => {
    await writeEncryptionConfig(dataDir, defaultEncryptionConfig());
    await writeStoreBackendMarker(dataDir, 'etcd');
    const before = await readEncryptionConfig(dataDir);
    await assert.rejects(rotateEncryptionKey(dataDir), {
      message:
        `${dataDir} belongs to a server on --store etcd: kubelabd encryption rotate-key rewrites the embedded nedb store only, ` +
        'and on etcd every server of the cluster shares encryption-config.yaml, so a rotation there must change all of them together; it is not supported yet (nothing was changed)',
    });
    assert.deepEqual(await readEncryptionConfig(dataDir), before);
    await assert.rejects(fs.stat(path.join(dataDir, 'store')), { code: 'ENOENT' });
  });
});
