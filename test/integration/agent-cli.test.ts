// `kubelabd agent` refuses bad input with a message that names the problem, and a non-zero exit,
// before it touches anything.

import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { daemonEntry, execFileAsync } from '../../harness/test-daemon.js';

async function kubelabd(args: string[]): Promise<{ code: number; stderr: string }> {
  try {
    await execFileAsync(process.execPath, [daemonEntry, ...args], { timeout: 30_000 });
    return { code: 0, stderr: '' };
  } catch (err) {
    const e = err as { code?: number; stderr?: string };
    return { code: e.code ?? -1, stderr: e.stderr ?? '' };
  }
}

describe('kubelabd agent: bad input', function () {
  this.timeout(60_000);
  let dir: string;
  before(async () => (dir = await fs.mkdtemp(path.join(os.tmpdir(), 'kubelab-agent-cli-'))));
  after(async () => fs.rm(dir, { recursive: true, force: true }));

  it('needs the join token, by --token or --token-file, and not both', async () => {
    const none = await kubelabd(['agent', '--server', 'https://127.0.0.1:1', '--data-dir', dir]);
    assert.equal(none.code, 1);
    assert.match(none.stderr, /give the join token with --token or --token-file/);
    const both = await kubelabd(['agent', '--server', 'https://127.0.0.1:1', '--token', 'x', '--token-file', '/nonexistent', '--data-dir', dir]);
    assert.equal(both.code, 1);
    assert.match(both.stderr, /give the join token with --token or --token-file/);
  });

  it('names a --server that is not a URL, also among several', async () => {
    const result = await kubelabd(['agent', '--server', 'https://127.0.0.1:1,10.0.0.2:6443', '--token', 'x', '--data-dir', dir]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /--server: "10\.0\.0\.2:6443" is not a URL like https:\/\/192\.168\.56\.11:6443/);
  });

  it('names an unreadable --token-file, and a malformed token', async () => {
    const missing = await kubelabd(['agent', '--server', 'https://127.0.0.1:1', '--token-file', path.join(dir, 'nope'), '--data-dir', dir]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /cannot read the join token from --token-file .*nope/);
    const malformed = await kubelabd(['agent', '--server', 'https://127.0.0.1:1', '--token', 'not-a-token', '--data-dir', dir]);
    assert.equal(malformed.code, 1);
    assert.match(malformed.stderr, /token/i);
  });
});
