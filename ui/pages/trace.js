// The pod trace page: one pod's life as a timeline with offsets from its acceptance by the API,
// assembled by the same pure code as `kubelab trace pod` (lib/trace/pod-trace.ts, served as the
// module `kubelab/pod-trace`) from what the page's watches already hold: the pod, its events and
// the Endpoints of its namespace. It re-assembles on every change, so a starting pod's trace
// grows as its steps happen. `~` marks a time the API keeps in whole seconds only.

import { assemblePodTrace, formatOffset } from 'kubelab/pod-trace';
import { html } from '../html.js';
import { keyOf } from '../view-model.js';

export function TracePage({ live, args }) {
  const pods = live.list('pods').sort((a, b) => keyOf(a).localeCompare(keyOf(b)));
  const [namespace, name] = args;
  const pod = pods.find((p) => p.metadata.namespace === namespace && p.metadata.name === name);
  const choose = (event) => (location.hash = `#/trace/${event.target.value}`);
  const trace = name
    ? assemblePodTrace({
        namespace,
        name,
        pod,
        events: live.list('events'),
        endpoints: live.list('endpoints').filter((e) => e.metadata.namespace === namespace),
      })
    : undefined;
  const state = !trace ? '' : trace.deleted ? 'deleted' : trace.terminating ? 'terminating' : trace.ready ? 'Ready' : 'not Ready';
  return html`
    <section>
      <h1>Pod trace</h1>
      <label>pod <select onChange=${choose} value=${name ? `${namespace}/${name}` : ''}>
        <option value="">choose a pod</option>
        ${name && !pod ? html`<option value=${`${namespace}/${name}`}>${namespace}/${name} (deleted)</option>` : ''}
        ${pods.map((p) => html`<option value=${keyOf(p)}>${keyOf(p)}</option>`)}
      </select></label>
      ${!trace ? html`<p class="empty">Choose a pod, or click one on the cluster page.</p>` : html`
        <p data-trace=${`${namespace}/${name}`}>${namespace}/${name}${trace.node ? ` on ${trace.node}` : ''}: ${state}${trace.origin ? `, accepted ${new Date(trace.origin).toLocaleTimeString()}` : ''}.
          <a href=${`#/scheduling`}>scheduling decision</a></p>
        ${trace.rows.length === 0 ? html`<p class="empty">no steps recorded: there are no events for this pod</p>` : ''}
        <table class="trace">
          <thead><tr><th>offset</th><th>component</th><th>what happened</th></tr></thead>
          <tbody>${trace.rows.map((row) => html`
            <tr class=${row.warning ? 'warning' : ''} data-reason=${row.reason}>
              <td>${row.precise ? '' : '~'}${formatOffset(row.offsetMs)}</td><td>${row.component}</td>
              <td>${row.warning ? 'Warning: ' : ''}${row.what}${row.count > 1 ? ` (x${row.count})` : ''}</td>
            </tr>`)}
          </tbody>
        </table>
        ${trace.missing.map((step) => html`<p class="empty">not recorded: ${step} (the pod shows it, but no event tells when)</p>`)}`}
    </section>`;
}
