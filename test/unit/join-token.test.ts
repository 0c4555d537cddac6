import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ensureJoinToken, parseJoinToken } from '../../daemon/pki/join-token.js';
import { splitTlsSans } from '../../daemon/pki/pki.js';

const CA_PEM = '-----BEGIN CERTIFICATE-----\nnot really a certificate\n-----END CERTIFICATE-----\n';
const CA_HASH = crypto.createHash('sha256').update(CA_PEM).digest('hex');

describe('join token', () => {
  let dataDir: string;
  beforeEach(async () => {
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'kubelab-join-token-'));
  });
  afterEach(async () => {
    await fs.rm(dataDir, { recursive: true, force: true });
  });

  it('is K10<sha256 of the CA PEM>::<secret>, written with mode 0600 and kept across restarts', async () => {
    const token = await ensureJoinToken(dataDir, CA_PEM);
    assert.match(token, /^K10[0-9a-f]{64}::[0-9a-f]{48}$/);
    assert.equal(parseJoinToken(token).caHash, CA_HASH);
    const file = path.join(dataDir, 'join-token');
    assert.equal((await fs.stat(file)).mode & 0o777, 0o600);
    assert.equal((await fs.readFile(file, 'utf8')).trim(), token);
    assert.equal(await ensureJoinToken(dataDir, CA_PEM), token);
  });

  it('keeps the secret but follows a new CA', async () => {
    const first = parseJoinToken(await ensureJoinToken(dataDir, CA_PEM));
    const second = parseJoinToken(await ensureJoinToken(dataDir, CA_PEM + 'renewed\n'));
    assert.equal(second.secret, first.secret);
    assert.notEqual(second.caHash, first.caHash);
  });

  it('parses a token and says what is wrong with a bad one', () => {
    assert.deepEqual(parseJoinToken(` K10${CA_HASH.toUpperCase()}::s3cret \n`), { caHash: CA_HASH, secret: 's3cret' });
    const cases: [string, RegExp][] = [
      ['s3cret', /must start with "K10"/],
      [`K10${CA_HASH}s3cret`, /"::" between the CA hash and the secret is missing/],
      ['K10abc::s3cret', /CA hash must be 64 hex digits \(a sha256\), got 3 characters/],
      [`K10${CA_HASH}::`, /secret after "::" is empty/],
    ];
    for (const [token, message] of cases) {
      assert.throws(() => parseJoinToken(token), (e: Error) => message.test(e.message) && /join token/.test(e.message), token);
    }
  });
});

describe('splitTlsSans', () => {
  it('sorts --tls-san values into IP and DNS subjectAltNames', () => {
    assert.deepEqual(splitTlsSans(['10.0.0.11', 'Node1.Lab', ' ', '::ffff:10.0.0.12', 'api.example']), {
      hostnames: ['node1.lab', 'api.example'],
      ips: ['10.0.0.11', '10.0.0.12'],
    });
  });
});
