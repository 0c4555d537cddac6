// The few server-rendered pages of the web view: why a login link was refused, and "not signed
// in". They are plain HTML with no script, so they show even when the app's modules cannot load,
// and every one says what to do next: run `kubelab dashboard` again.

import type { RefusedCodeReason } from './login-codes.js';

const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** A complete small HTML page with a heading and paragraphs (each escaped). */
export function messagePage(title: string, paragraphs: string[]): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>kubelab: ${escapeHtml(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="/ui/app/style.css"></head>
<body class="message-page"><main><h1>${escapeHtml(title)}</h1>
${paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`).join('\n')}
<pre>kubelab dashboard --url</pre></main></body></html>
`;
}

const AGAIN = 'Run `kubelab dashboard` (or `kubelab dashboard --url`) again for a new link; each link works once, for a minute.';

/** The page for a refused login code and its HTTP status. */
export function refusedCodePage(reason: RefusedCodeReason): { status: number; html: string } {
  switch (reason) {
    case 'used':
      return { status: 410, html: messagePage('This login link was already used', ['A login link signs in one browser once. If you did not open it yourself, someone else did: it is now useless to them too, but their session lasts until it expires or the server restarts.', AGAIN]) };
    case 'expired':
      return { status: 410, html: messagePage('This login link has expired', [AGAIN]) };
    case 'unknown':
      return { status: 401, html: messagePage('This login link is not valid', ['The API server does not know this code: it may be mistyped, or the server restarted since it was made.', AGAIN]) };
  }
}

/** What /ui/ shows without a session (no cookie, an expired one, or one from before a restart). */
export function signedOutPage(): string {
  return messagePage('Not signed in', ['The web view needs a session. Sign in through the link that `kubelab dashboard --url` prints.', AGAIN]);
}
