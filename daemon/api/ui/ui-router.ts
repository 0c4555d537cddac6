// The web view at /ui/ (Headlamp's and kube-ops-view's place), served by the API server itself on
// its TLS port, so there is nothing else to run, expose or trust.
//
//   POST /kubelab/v1/dashboard/login-codes   (bearer token) a one-minute, single-use login code
//   GET  /ui/login?code=...                  exchanges the code for a session cookie, redirects to /ui/
//   GET  /ui/                                the app shell (needs the session), else "Not signed in"
//   GET  /ui/app/*, /ui/vendor/*             the page's ES modules and stylesheet (no data in them)
//   GET  /ui/lib/pod-trace.js                lib/trace/pod-trace.ts as built: the page assembles traces with it
//   GET  /ui/api/whoami                      the session's user (401 without a session)
//   GET  /ui/api/watch?resources=pods,nodes  the live stream (live-stream.ts; 401 without a session)
//
// The page is read-only: it sends GETs and one EventSource, never a write. /ui/api answers only
// GET, and the session cookie is honoured nowhere but /ui/api (the Kubernetes API itself wants a
// bearer token), so a forged cross-site request has nothing to change: no CSRF token is needed.
// The cookie is HttpOnly (no script reads it), Secure (TLS only) and SameSite=Strict (no other
// site's page sends it), and scoped to Path=/ui.
//
// The code itself is made by the CLI, authenticated by its bearer token: the browser is then
// authorised as that same user for every watch (the API server's authorizer is asked per resource).
// No build step: the app's modules are served as they are in ui/, and preact + htm straight from
// node_modules, wired together by an import map in the app shell.

import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Clock } from '../../../lib/clock.js';
import { ApiError, badRequest, unauthorized } from '../../../lib/errors.js';
import { DASHBOARD_DEFAULTS } from '../../config.js';
import type { Authorizer, UserInfo } from '../auth.js';
import type { Registry, RequestContext } from '../registry.js';
import { LIVE_RESOURCES, serveLiveStream } from './live-stream.js';
import { LoginCodeStore, SessionStore } from './login-codes.js';
import { refusedCodePage, signedOutPage } from './login-page.js';

export const SESSION_COOKIE = 'kubelab_ui_session';
export const LOGIN_CODES_PATH = '/kubelab/v1/dashboard/login-codes';
export const LOGIN_PATH = '/ui/login';

/** What POST /kubelab/v1/dashboard/login-codes answers. */
export interface LoginCodeResponse {
  kind: 'DashboardLoginCode';
  /** The path to open on the API server's address (`/ui/login?code=...`). */
  loginPath: string;
  expiresAt: string;
  user: string;
}

export interface UiDeps {
  registry: Registry;
  clock: Pick<Clock, 'now'>;
  loginCodeTtlMs?: number;
  sessionTtlMs?: number;
  heartbeatIntervalMs?: number;
}

/** The web view's state: its code and session stores, and the two routers that serve it. */
export class WebUi {
  readonly codes: LoginCodeStore;
  readonly sessions: SessionStore;
  private readonly files = uiFiles();

  constructor(private readonly deps: UiDeps) {
    this.codes = new LoginCodeStore({ clock: deps.clock, ttlMs: deps.loginCodeTtlMs ?? DASHBOARD_DEFAULTS.loginCodeTtlMs });
    this.sessions = new SessionStore({ clock: deps.clock, ttlMs: deps.sessionTtlMs ?? DASHBOARD_DEFAULTS.sessionTtlMs });
  }

  /**
   * Mounted before bearer authentication: /ui/ authenticates by its session cookie, and asks the
   * API server's `authorizer` (absent: everyone may do everything) before each watch.
   */
  publicRouter(authorizer?: Authorizer): express.Router {
    const router = express.Router();
    router.get(LOGIN_PATH, (req, res) => this.login(req, res));
    router.get(['/ui', '/ui/', '/ui/index.html'], (req, res) => this.shell(req, res));
    router.use('/ui/app', express.static(this.files.appDir, { index: false, fallthrough: false, setHeaders: (res) => void res.setHeader('Cache-Control', 'no-cache') }));
    router.get('/ui/vendor/:file', (req, res, next) => {
      const file = this.files.vendor[req.params.file as string];
      if (!file) return next();
      res.setHeader('Cache-Control', 'no-cache');
      res.type('text/javascript').sendFile(file);
    });
    // The pod trace's assembly, shared with `kubelab trace pod`: compiled TypeScript whose only imports are types.
    router.get('/ui/lib/pod-trace.js', (_req, res, next) => {
      if (!fs.existsSync(this.files.podTrace)) return next(new ApiError(404, 'NotFound', `${this.files.podTrace} is missing: run npm run build`));
      res.setHeader('Cache-Control', 'no-cache');
      res.type('text/javascript').sendFile(this.files.podTrace);
    });
    router.use('/ui/api', (req, res, next) => this.requireSession(req, res, next));
    router.get('/ui/api/whoami', (_req, res) => void res.json({ user: (res.locals.userInfo as UserInfo).name }));
    router.get('/ui/api/watch', (req, res, next) => this.watch(req, res, authorizer).catch(next));
    router.use('/ui/api', (req, _res, next) => next(new ApiError(404, 'NotFound', `${req.originalUrl}: the web view serves /ui/api/whoami and /ui/api/watch only`)));
    return router;
  }

  /** Mounted after bearer authentication: the CLI asks for a login code as itself. */
  authenticatedRouter(): express.Router {
    const router = express.Router();
    router.post(LOGIN_CODES_PATH, (_req, res) => {
      const user = res.locals.userInfo as UserInfo;
      const { code, expiresAt } = this.codes.issue(user);
      const answer: LoginCodeResponse = { kind: 'DashboardLoginCode', loginPath: `${LOGIN_PATH}?code=${encodeURIComponent(code)}`, expiresAt: expiresAt.toISOString(), user: user.name };
      res.setHeader('Cache-Control', 'no-store');
      res.status(201).json(answer);
    });
    return router;
  }

  private login(req: Request, res: Response): void {
    res.setHeader('Cache-Control', 'no-store');
    // The code must not leave in a Referer header, even towards our own pages.
    res.setHeader('Referrer-Policy', 'no-referrer');
    const code = typeof req.query.code === 'string' ? req.query.code : '';
    const result = this.codes.redeem(code);
    if (!result.ok) {
      const page = refusedCodePage(result.reason);
      res.status(page.status).type('html').send(page.html);
      return;
    }
    const session = this.sessions.create(result.user);
    const maxAgeSeconds = Math.max(1, Math.floor((session.expiresAt.getTime() - this.deps.clock.now().getTime()) / 1000));
    res.setHeader('Set-Cookie', `${SESSION_COOKIE}=${session.id}; Path=/ui; Max-Age=${maxAgeSeconds}; HttpOnly; Secure; SameSite=Strict`);
    // 303: the browser GETs /ui/, and the code leaves the address bar and the history entry.
    res.redirect(303, '/ui/');
  }

  private shell(req: Request, res: Response): void {
    res.setHeader('Cache-Control', 'no-store');
    if (!this.sessionUser(req)) {
      res.status(401).type('html').send(signedOutPage());
      return;
    }
    res.setHeader('Content-Security-Policy', this.files.contentSecurityPolicy);
    res.setHeader('X-Frame-Options', 'DENY');
    res.type('html').send(this.files.shellHtml);
  }

  private sessionUser(req: Request): UserInfo | undefined {
    return this.sessions.userOf(cookieValue(req.headers.cookie, SESSION_COOKIE));
  }

  private requireSession(req: Request, res: Response, next: NextFunction): void {
    const user = this.sessionUser(req);
    if (!user) return next(unauthorized());
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return next(badRequest(`${req.method} ${req.originalUrl}: the web view is read-only; /ui/api answers only GET`));
    }
    res.locals.user = user.name;
    res.locals.userInfo = user;
    next();
  }

  private async watch(req: Request, res: Response, authorizer: Authorizer | undefined): Promise<void> {
    const user = res.locals.userInfo as UserInfo;
    const asked = typeof req.query.resources === 'string' ? req.query.resources.split(',').filter(Boolean) : [...LIVE_RESOURCES];
    const unknown = asked.filter((r) => !LIVE_RESOURCES.includes(r));
    if (unknown.length) throw badRequest(`resources=${unknown.join(',')}: the web view streams only ${LIVE_RESOURCES.join(', ')}`);
    // The browser acts as the user who made the code: each watch is authorised as theirs would be.
    for (const key of asked) {
      const [plural, ...group] = key.split('.');
      await authorizer?.authorize(user, { verb: 'watch', path: req.path, resource: { key, plural: plural!, group: group.join('.') } });
    }
    const ctx: RequestContext = { user: user.name, fieldValidation: 'Ignore', dryRun: false, warnings: [] };
    serveLiveStream(res, { registry: this.deps.registry, resources: asked, ctx, heartbeatIntervalMs: this.deps.heartbeatIntervalMs ?? DASHBOARD_DEFAULTS.heartbeatIntervalMs });
  }
}

/** One cookie's value from a Cookie header. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

interface UiFiles {
  appDir: string;
  /** lib/trace/pod-trace.ts as the build compiled it. */
  podTrace: string;
  vendor: Record<string, string>;
  shellHtml: string;
  contentSecurityPolicy: string;
}

/**
 * Where the page's files are: ui/ at the package root (found from this module, which runs from
 * daemon/api/ui/ in the source tree or dist/daemon/api/ui/ once built), and the vendored modules
 * where Node resolves the packages' ES module entries.
 */
function uiFiles(): UiFiles {
  let root = path.dirname(fileURLToPath(import.meta.url));
  while (!fs.existsSync(path.join(root, 'ui', 'index.html'))) {
    const parent = path.dirname(root);
    if (parent === root) throw new Error('the web view\'s files (ui/index.html) are not in any parent folder of the daemon: reinstall kubelab');
    root = parent;
  }
  // Each package's folder, found from its main entry (neither exports its package.json); the
  // files are the ES module builds of the pinned versions (package.json pins them exactly).
  const require = createRequire(import.meta.url);
  const packageDir = (name: string) => {
    let dir = path.dirname(require.resolve(name));
    while (!fs.existsSync(path.join(dir, 'package.json'))) dir = path.dirname(dir);
    return dir;
  };
  const vendor = {
    'preact.mjs': path.join(packageDir('preact'), 'dist', 'preact.mjs'),
    'preact-hooks.mjs': path.join(packageDir('preact'), 'hooks', 'dist', 'hooks.mjs'),
    'htm.mjs': path.join(packageDir('htm'), 'dist', 'htm.mjs'),
  };
  const shellHtml = fs.readFileSync(path.join(root, 'ui', 'index.html'), 'utf8');
  // The import map is the page's one inline script; the policy allows exactly it, by its hash.
  const importMap = /<script type="importmap">([\s\S]*?)<\/script>/.exec(shellHtml)?.[1] ?? '';
  const importMapHash = crypto.createHash('sha256').update(importMap).digest('base64');
  return {
    appDir: path.join(root, 'ui'),
    podTrace: path.join(root, 'dist', 'lib', 'trace', 'pod-trace.js'),
    vendor,
    shellHtml,
    contentSecurityPolicy: `default-src 'self'; script-src 'self' 'sha256-${importMapHash}'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'`,
  };
}
