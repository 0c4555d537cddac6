// The web view's HTTP side (daemon/api/ui/ui-router.ts) on the real HTTPS API server: a login
// code from the CLI's token becomes a session cookie once; refused codes get a page that says
// why; /ui/api wants the session (and only GET); the live stream carries watch events.

import assert from 'node:assert/strict';
import https from 'node:https';
import { forbidden } from '../../../lib/errors.js';
import { ManualClock } from '../../../lib/clock.js';
import { internalContext } from '../../../daemon/api/registry.js';
import { WebUi } from '../../../daemon/api/ui/ui-router.js';
import { ApiTestServer } from '../../helpers/api-test-server.js';

describe('web view routes (/ui/)', function () {
  this.timeout(20_000);
  let api: ApiTestServer;
  const clock = new ManualClock('2026-01-01T00:00:00Z');

  before(async () => {
    api = await ApiTestServer.start({
      tokens: [{ token: 'alice-token', user: 'alice', groups: [] }],
      // alice may not watch events: the page is authorised as the user who made the code.
      authorizer: {
        authorize: async (user, attributes) => {
          if (user.name === 'alice' && attributes.resource?.key === 'events') throw forbidden(`alice cannot ${attributes.verb} events`);
        },
      },
      webUi: (registry) => new WebUi({ registry, clock, heartbeatIntervalMs: 60_000 }),
    });
  });
  after(async () => {
    await api?.close();
  });

  const newCode = async (token?: string) => {
    const res = await api.request('POST', '/kubelab/v1/dashboard/login-codes', { body: {}, ...(token ? { token } : {}) });
    assert.equal(res.status, 201, res.text);
    return res.json as { loginPath: string; expiresAt: string; user: string };
  };
  const signIn = async (token?: string) => {
    const { loginPath } = await newCode(token);
    const res = await api.request('GET', loginPath, { token: null });
    assert.equal(res.status, 303, res.text);
    return String(res.headers['set-cookie']).split(';')[0]!;
  };

  it('makes a code only for an authenticated caller, valid for a minute', async () => {
    assert.equal((await api.request('POST', '/kubelab/v1/dashboard/login-codes', { body: {}, token: null })).status, 401);
    const code = await newCode();
    assert.match(code.loginPath, /^\/ui\/login\?code=[A-Za-z0-9_-]{43}$/);
    assert.equal(code.user, 'admin');
    assert.equal(code.expiresAt, '2026-01-01T00:01:00.000Z');
  });

  it('exchanges a code once for an HttpOnly, Secure, SameSite=Strict cookie and redirects to /ui/ (the code leaves the URL)', async () => {
    const { loginPath } = await newCode();
    const first = await api.request('GET', loginPath, { token: null });
    assert.equal(first.status, 303);
    assert.equal(first.headers.location, '/ui/');
    assert.equal(first.headers['referrer-policy'], 'no-referrer');
    const cookie = String(first.headers['set-cookie']);
    assert.match(cookie, /^kubelab_ui_session=[A-Za-z0-9_-]{43}; Path=\/ui; Max-Age=28800; HttpOnly; Secure; SameSite=Strict$/);

    const again = await api.request('GET', loginPath, { token: null });
    assert.equal(again.status, 410);
    assert.match(again.text, /This login link was already used/);
    assert.match(again.text, /kubelab dashboard --url/);
    assert.equal(again.headers['set-cookie'], undefined);
  });

  it('refuses an expired code and an unknown one with a page that says so', async () => {
    const { loginPath } = await newCode();
    await clock.advance(60_000);
    const expired = await api.request('GET', loginPath, { token: null });
    assert.equal(expired.status, 410);
    assert.match(expired.text, /This login link has expired/);
    const unknown = await api.request('GET', '/ui/login?code=nope', { token: null });
    assert.equal(unknown.status, 401);
    assert.match(unknown.text, /This login link is not valid/);
  });

  it('answers 401 on /ui/api without a session (also with a bearer token), and /ui/ shows "Not signed in"', async () => {
    for (const path of ['/ui/api/whoami', '/ui/api/watch', '/ui/api/watch?resources=pods']) {
      assert.equal((await api.request('GET', path, { token: null })).status, 401, path);
      assert.equal((await api.request('GET', path, { token: null, headers: { cookie: 'kubelab_ui_session=forged' } })).status, 401, path);
      assert.equal((await api.request('GET', path)).status, 401, `${path} with the admin's bearer token`);
    }
    const shell = await api.request('GET', '/ui/', { token: null });
    assert.equal(shell.status, 401);
    assert.match(shell.text, /Not signed in/);
  });

  it('serves the app shell with its import map and a strict CSP to a session, and the modules to anyone', async () => {
    const cookie = await signIn();
    const shell = await api.request('GET', '/ui/', { token: null, headers: { cookie } });
    assert.equal(shell.status, 200);
    assert.match(shell.text, /<script type="importmap">/);
    assert.match(String(shell.headers['content-security-policy']), /script-src 'self' 'sha256-[A-Za-z0-9+/=]+'/);
    for (const path of ['/ui/vendor/preact.mjs', '/ui/vendor/preact-hooks.mjs', '/ui/vendor/htm.mjs', '/ui/app/main.js', '/ui/app/view-model.js']) {
      const res = await api.request('GET', path, { token: null });
      assert.equal(res.status, 200, path);
      assert.match(String(res.headers['content-type']), /javascript/, path);
    }
    assert.equal((await api.request('GET', '/ui/app/style.css', { token: null })).status, 200);
    assert.equal((await api.request('GET', '/ui/vendor/other.mjs', { token: null })).status, 401, 'nothing else from node_modules');
  });

  it('acts as the user who made the code, read-only; the cookie does not authenticate the Kubernetes API', async () => {
    const cookie = await signIn('alice-token');
    const whoami = await api.request('GET', '/ui/api/whoami', { token: null, headers: { cookie } });
    assert.deepEqual(whoami.json, { user: 'alice' });
    assert.equal((await api.request('GET', '/ui/api/watch?resources=events', { token: null, headers: { cookie } })).status, 403);
    const post = await api.request('POST', '/ui/api/watch', { token: null, body: {}, headers: { cookie } });
    assert.equal(post.status, 400);
    assert.match(post.json.message, /read-only/);
    assert.equal((await api.request('GET', '/api/v1/namespaces/default/pods', { token: null, headers: { cookie } })).status, 401);
    assert.equal((await api.request('GET', '/ui/api/watch?resources=secrets', { token: null, headers: { cookie } })).status, 400);
  });

  it('streams watch events as server-sent events: reset, the current objects, synced, then changes', async () => {
    const cookie = await signIn();
    const pod = (name: string) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default' }, spec: { containers: [{ name: 'app', image: 'busybox' }] } });
    await api.registry.create('pods', 'default', pod('before') as never, internalContext());
    const messages: { event: string; data: any }[] = [];
    let contentType = '';
    const req = https.get({ host: '127.0.0.1', port: api.port, path: '/ui/api/watch?resources=pods,nodes', headers: { cookie }, ca: api.caCertPem }, (res) => {
      contentType = String(res.headers['content-type']);
      let buffer = '';
      res.on('data', (chunk: Buffer) => {
        buffer += chunk.toString();
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (event) messages.push({ event, data: JSON.parse(data!) });
        }
      });
    });
    try {
      const until = async (what: string, check: () => boolean) => {
        const deadline = Date.now() + 5000;
        while (!check()) {
          if (Date.now() > deadline) throw new Error(`no ${what}: ${JSON.stringify(messages.map((m) => m.event))}`);
          await new Promise((r) => setImmediate(r));
        }
      };
      await until('synced', () => messages.some((m) => m.event === 'synced'));
      assert.match(contentType, /^text\/event-stream/);
      assert.deepEqual(messages.map((m) => [m.event, m.data.type, m.data.object?.metadata?.name]), [['reset', undefined, undefined], ['pods', 'ADDED', 'before'], ['synced', undefined, undefined]]);
      await api.registry.create('pods', 'default', pod('after') as never, internalContext());
      await until('the new pod', () => messages.some((m) => m.event === 'pods' && m.data.object.metadata.name === 'after'));
      assert.equal(messages.at(-1)!.data.type, 'ADDED');
    } finally {
      req.destroy();
    }
  });
});
