// The web view's entry: a header with the pages, the live connection's state and the user, and
// the page the address's hash names (#/cluster, #/workloads, #/services, #/scheduling, #/events,
// #/trace/NAMESPACE/POD). Every page renders from the one LiveCluster (live.js).

import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { html } from './html.js';
import { LiveCluster } from './live.js';
import { ClusterPage } from './pages/cluster.js';
import { WorkloadsPage } from './pages/workloads.js';
import { ServicesPage } from './pages/services.js';
import { SchedulingPage } from './pages/scheduling.js';
import { EventsPage } from './pages/events.js';
import { TracePage } from './pages/trace.js';

const PAGES = [
  ['cluster', 'Cluster', ClusterPage],
  ['workloads', 'Workloads', WorkloadsPage],
  ['services', 'Services', ServicesPage],
  ['scheduling', 'Scheduling', SchedulingPage],
  ['events', 'Events', EventsPage],
  ['trace', 'Pod trace', TracePage],
];

const route = () => {
  const [page = 'cluster', ...args] = location.hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent);
  return { page, args };
};

function App({ live, user }) {
  const [, setVersion] = useState(0);
  const [where, setWhere] = useState(route());
  useEffect(() => live.subscribe(() => setVersion((v) => v + 1)), []);
  useEffect(() => {
    const onHash = () => setWhere(route());
    addEventListener('hashchange', onHash);
    return () => removeEventListener('hashchange', onHash);
  }, []);
  const current = PAGES.find(([id]) => id === where.page) ?? PAGES[0];
  const Page = current[2];
  return html`
    <header>
      <span class="brand">kubelab</span>
      <nav>${PAGES.map(([id, title]) => html`<a href="#/${id}" class=${id === current[0] ? 'active' : ''}>${title}</a>`)}</nav>
      <span class="live-status" data-status=${live.status}>${live.status}</span>
      <span class="user">${user} · read-only</span>
    </header>
    <main><${Page} live=${live} args=${where.args} /></main>`;
}

async function start() {
  const root = document.getElementById('app');
  const answer = await fetch('/ui/api/whoami', { credentials: 'same-origin' });
  if (!answer.ok) {
    render(html`<main class="message"><h1>Not signed in</h1><p>Run <code>kubelab dashboard --url</code> and open the link it prints.</p></main>`, root);
    return;
  }
  const { user } = await answer.json();
  root.textContent = ''; // the "Loading" line: render() adds to what is there
  const live = new LiveCluster();
  live.connect();
  render(html`<${App} live=${live} user=${user} />`, root);
}

start();
