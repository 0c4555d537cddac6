// The web view (/ui/) in a real browser on a three-host lab: Debian's chromium, headless, driven
// by playwright-core (which downloads no browser). A user runs `kubelab dashboard --url`, opens
// the printed one-time link, and watches the cluster live: every node of the lab, a Deployment's
// pods appearing without a reload, a killed host marked dead. The page must log no errors.
// Refusals: a used link, an expired one and data requests without a session.
//
// Screenshots go to a temporary directory (printed); with KUBELAB_UI_SCREENSHOTS=docs they also
// replace the README's ones under docs/.

import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import type { Deployment, Pod, Service } from '../../lib/api/types.js';
import { loadClientConfig } from '../../lib/client/kubeconfig.js';
import { RestClient } from '../../lib/client/rest-client.js';
import { eventually } from '../../harness/test-daemon.js';
import { TestLab } from '../../harness/test-lab.js';
import { DASHBOARD_DEFAULTS } from '../../daemon/config.js';

const CHROMIUM = '/usr/bin/chromium';
const docsDir = path.resolve(import.meta.dirname, '../../docs');

describe('web view in headless Chromium on a three-host lab', function () {
  this.timeout(900_000);
  let lab: TestLab;
  let client: RestClient;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let nodes: string[];
  let shotsDir: string;
  /** Every console error and uncaught exception of the signed-in page. */
  const pageErrors: string[] = [];
  /** A code made at the start and never used: refused as expired at the end. */
  let unusedLink: { url: string; madeAtMs: number };

  /** `kubelab dashboard --url`: the one line it prints. */
  const dashboardUrl = async (): Promise<string> => {
    const out = (await lab.ok(['dashboard', '--url'])).trim();
    assert.match(out, /^https:\/\/[^/]+\/ui\/login\?code=[A-Za-z0-9_-]{43}$/, `dashboard --url printed: ${out}`);
    return out;
  };

  const screenshot = async (name: string, docs: boolean) => {
    const file = path.join(shotsDir, `${name}.png`);
    await page.screenshot({ path: file });
    if (docs && process.env.KUBELAB_UI_SCREENSHOTS === 'docs') {
      await fs.mkdir(docsDir, { recursive: true });
      await fs.copyFile(file, path.join(docsDir, `${name}.png`));
    }
    console.log(`      screenshot ${file} (${(await fs.stat(file)).size} bytes)`);
  };

  before(async function () {
    this.timeout(300_000);
    shotsDir = await fs.mkdtemp(path.join(os.tmpdir(), 'kubelab-ui-shots-'));
    lab = await TestLab.up(3);
    client = new RestClient(loadClientConfig({ kubeconfig: lab.kubeconfigPath }));
    nodes = (await client.list('nodes')).items.map((n) => n.metadata.name!).sort();
    assert.equal(nodes.length, 3, `nodes: ${nodes.join(', ')}`);
    unusedLink = { url: await dashboardUrl(), madeAtMs: Date.now() };
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true });
    // The lab's API certificate is signed by the lab's own CA, which this browser does not know.
    context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1100, height: 560 } });
    page = await context.newPage();
    page.on('console', (message) => {
      if (message.type() === 'error') pageErrors.push(`console: ${message.text()}`);
    });
    page.on('pageerror', (err) => pageErrors.push(`uncaught: ${err.message}`));
  });

  after(async function () {
    this.timeout(300_000);
    await browser?.close().catch(() => undefined);
    client?.close();
    if (!lab) return;
    if (this.currentTest?.state === 'failed') console.log(await lab.logs(60));
    await lab.down();
  });

  it('logs in through the URL that `kubelab dashboard --url` prints; the code leaves the address bar, the token never enters it', async () => {
    const url = await dashboardUrl();
    const token = loadClientConfig({ kubeconfig: lab.kubeconfigPath }).token!;
    assert.ok(!url.includes(token), 'the kubeconfig token is not in the URL');
    await page.goto(url);
    assert.equal(new URL(page.url()).pathname, '/ui/');
    assert.equal(new URL(page.url()).search, '', 'redirected to /ui/ without the code');
    const cookies = await context.cookies();
    const session = cookies.find((c) => c.name === 'kubelab_ui_session');
    assert.ok(session, `cookies: ${cookies.map((c) => c.name).join(', ')}`);
    assert.equal(session.httpOnly, true);
    assert.equal(session.secure, true);
    assert.equal(session.sameSite, 'Strict');
    await page.locator('.live-status[data-status="live"]').waitFor({ timeout: 10_000 });
  });

  it('shows every node of the lab as a box with its subnet and gossip state', async () => {
    await eventually(async () => {
      const shown = (await page.locator('[data-node]:not([data-node=""])').evaluateAll((els) => els.map((e) => e.getAttribute('data-node')))).sort();
      return JSON.stringify(shown) === JSON.stringify(nodes) ? true : undefined;
    }, 15_000, 100);
    for (const node of nodes) {
      const box = page.locator(`[data-node="${node}"]`);
      assert.equal(await box.getAttribute('data-health'), 'Ready', node);
      assert.match(await box.innerText(), /subnet\s+10\.\d+\.\d+\.0\/24/, `${node} shows its pod subnet`);
      assert.equal(await box.getAttribute('data-gossip'), 'alive', `${node}'s gossip state`);
    }
  });

  it('shows a Deployment\'s pods within 2 s of its creation through the API, without a reload', async () => {
    // A reload would lose this marker.
    await page.evaluate(() => ((window as unknown as { marker: string }).marker = 'same page'));
    const labels = { app: 'ui-web' };
    const created = Date.now();
    await client.create('deployments.apps', {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'ui-web', namespace: 'default' },
      spec: {
        replicas: 4,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'app', image: 'kubelab/busybox:1', command: ['sh', '-c', "trap 'exit 0' TERM; while :; do sleep 1; done"] }] },
        },
      },
    } as Deployment);
    const pods = page.locator('[data-pod^="default/ui-web-"]');
    await eventually(async () => ((await pods.count()) === 4 ? true : undefined), 2_000, 20).catch(async (err: Error) => {
      throw new Error(`${err.message}: ${await pods.count()} of 4 pods shown ${Date.now() - created} ms after the Deployment was created`);
    });
    const shownMs = Date.now() - created;
    console.log(`      4 pods shown ${shownMs} ms after the Deployment was created`);
    assert.ok(shownMs <= 2_000);
    assert.equal(await page.evaluate(() => (window as unknown as { marker?: string }).marker), 'same page', 'the page was not reloaded');

    // They turn green (Ready) as their status changes, also without a reload.
    await eventually(async () => ((await page.locator('[data-pod^="default/ui-web-"][data-state="ready"]').count()) === 4 ? true : undefined), 120_000, 200);
    await client.create('services', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'ui-web', namespace: 'default' },
      spec: { type: 'NodePort', selector: labels, ports: [{ port: 80, targetPort: 8080 }] },
    } as Service);
    await screenshot('ui-cluster', true);

    await page.click('header nav a[href="#/workloads"]');
    const replicaSets = page.locator('[data-deployment="default/ui-web"] [data-replicaset]');
    await replicaSets.first().waitFor({ timeout: 5_000 });
    assert.equal(await replicaSets.first().getAttribute('data-revision'), '1');
  });

  it('moves the ReplicaSet bars live during a rollout: revision 2 grows while revision 1 shrinks', async () => {
    type Bars = { revision: string; desired: number; current: number; ready: number }[];
    const bars = async (): Promise<Bars> =>
      page.locator('[data-deployment="default/ui-web"] [data-replicaset]').evaluateAll((els) =>
        els.map((e) => ({ revision: e.getAttribute('data-revision')!, desired: Number(e.getAttribute('data-desired')), current: Number(e.getAttribute('data-current')), ready: Number(e.getAttribute('data-ready')) })),
      );
    await client.patch('deployments.apps', 'default', 'ui-web', { spec: { template: { metadata: { annotations: { 'example.com/release': '2' } } } } }, 'merge');
    const seen: string[] = [];
    let shotTaken = false;
    await eventually(async () => {
      const now = await bars();
      const summary = now.map((b) => `r${b.revision} ${b.ready}/${b.current}/${b.desired}`).join(', ');
      if (seen.at(-1) !== summary) seen.push(summary);
      const [newest, oldest] = [now.find((b) => b.revision === '2'), now.find((b) => b.revision === '1')];
      // The README's picture: both revisions holding replicas, mid-rollout.
      if (!shotTaken && newest && oldest && newest.current > 0 && oldest.current > 0) {
        shotTaken = true;
        await screenshot('ui-workloads', true);
      }
      return newest?.ready === 4 && oldest?.desired === 0 && oldest.current === 0 ? true : undefined;
    }, 120_000, 50);
    console.log(`      rollout as the page showed it (ready/current/desired): ${seen.join(' -> ')}`);
    assert.equal((await bars())[0]!.revision, '2', 'newest revision first');
    assert.ok(seen.some((s) => /r2 \d+\/[1-3]\/\d+, r1 \d+\/[1-3]\/\d+/.test(s)), `an intermediate state with replicas in both revisions was shown: ${seen.join(' | ')}`);
    assert.ok(shotTaken);
  });

  it('shows services, scheduling decisions and a pod\'s trace, switching pages without a reload', async () => {
    await page.click('header nav a[href="#/services"]');
    await page.locator('[data-service="default/ui-web"] .endpoint').first().waitFor({ timeout: 10_000 });
    await screenshot('ui-services', false);
    // The scheduler's decision for a pod, as recorded on it: every node's row, the pick where the pod runs.
    // A Ready pod of the new revision (the old revision's pods may still be terminating).
    await page.click('header nav a[href="#/cluster"]');
    const podKey = (await page.locator('[data-pod^="default/ui-web-"][data-state="ready"]').first().getAttribute('data-pod'))!;
    const somePod = await client.get<Pod>('pods', 'default', podKey.split('/')[1]!);
    await page.click('header nav a[href="#/scheduling"]');
    const decision = page.locator(`.decision-row[data-pod="${podKey}"]`);
    await decision.waitFor({ timeout: 5_000 });
    assert.equal(await decision.locator('[data-decision-node]').count(), nodes.length, await decision.innerText());
    assert.match(await decision.locator('tr.picked').innerText(), new RegExp(`^${somePod!.spec.nodeName}\\b`));
    await screenshot('ui-scheduling', false);
    // A pod's trace (lib/trace's assembly, run in the page): its steps in order, offsets from acceptance.
    await decision.locator('h2 a').click();
    const trace = page.locator('table.trace tbody');
    await eventually(async () => {
      const reasons = await trace.locator('tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-reason')));
      return reasons.includes('Scheduled') && (reasons.includes('PodReady') || reasons.includes('Ready')) ? true : undefined;
    }, 10_000, 100);
    const offsets = (await trace.locator('tr td:first-child').allInnerTexts()).map((t) => Number(/^~?\+(\d+\.\d{3}) s$/.exec(t)?.[1] ?? NaN));
    assert.ok(offsets.length >= 4 && offsets.every((o, i) => !Number.isNaN(o) && (i === 0 || o >= offsets[i - 1]!)), `offsets non-decreasing: ${offsets.join(', ')}`);
    await screenshot('ui-trace', true);
    await page.click('header nav a[href="#/cluster"]');
    assert.equal(await page.evaluate(() => (window as unknown as { marker?: string }).marker), 'same page', 'page changes without a reload');
  });

  it('marks a killed host dead (gossip) / NotReady as the cluster learns it', async () => {
    const victim = nodes[2]!;
    const killed = await lab.lab(['kill', victim]);
    assert.equal(killed.code, 0, killed.stderr);
    const start = Date.now();
    const box = page.locator(`[data-node="${victim}"]`);
    await eventually(async () => ((await box.getAttribute('data-health')) === 'dead' ? true : undefined), 60_000, 200);
    console.log(`      ${victim} shown dead ${Date.now() - start} ms after lab kill`);
    assert.match(await box.innerText(), /dead/);
    for (const node of nodes.slice(0, 2)) assert.equal(await page.locator(`[data-node="${node}"]`).getAttribute('data-health'), 'Ready', node);
    await screenshot('ui-node-dead', false);
  });

  it('logged no console errors and no uncaught exceptions', () => {
    assert.deepEqual(pageErrors, []);
  });

  it('refuses a used link, an expired link, and /ui/ data requests without a session (401)', async () => {
    const stranger = await browser.newContext({ ignoreHTTPSErrors: true });
    try {
      const other = await stranger.newPage();
      const url = await dashboardUrl();
      const first = await other.goto(url);
      assert.equal(first?.status(), 200, 'first use signs in');
      const again = await (await stranger.newPage()).goto(url);
      assert.equal(again?.status(), 410);
      assert.match(await again!.text(), /This login link was already used/);

      // The link made before the suite started is a minute old by now (wait for the rest if not).
      const waitMs = unusedLink.madeAtMs + DASHBOARD_DEFAULTS.loginCodeTtlMs + 500 - Date.now();
      if (waitMs > 0) await new Promise((r) => setTimeout(r, waitMs));
      const expired = await (await stranger.newPage()).goto(unusedLink.url);
      assert.equal(expired?.status(), 410);
      assert.match(await expired!.text(), /This login link has expired/);
    } finally {
      await stranger.close();
    }

    const anonymous = await browser.newContext({ ignoreHTTPSErrors: true });
    try {
      const base = new URL(unusedLink.url).origin;
      for (const dataPath of ['/ui/api/whoami', '/ui/api/watch', '/ui/api/watch?resources=pods']) {
        const res = await anonymous.request.get(`${base}${dataPath}`);
        assert.equal(res.status(), 401, dataPath);
      }
      const shell = await (await anonymous.newPage()).goto(`${base}/ui/`);
      assert.equal(shell?.status(), 401);
      assert.match(await shell!.text(), /Not signed in/);
    } finally {
      await anonymous.close();
    }
  });
});
