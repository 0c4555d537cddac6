// The pod trace page: one pod's life as a timeline with offsets from its creation. Until the
// pod trace (lib/trace) is served to the page, it is assembled here from what the watches carry:
// the pod's events, its conditions' transition times and its containers' start times.

import { html } from '../html.js';
import { formatOffset, keyOf, podState, podTimeline } from '../view-model.js';

export function TracePage({ live, args }) {
  const pods = live.list('pods').sort((a, b) => keyOf(a).localeCompare(keyOf(b)));
  const [namespace, name] = args;
  const pod = pods.find((p) => p.metadata.namespace === namespace && p.metadata.name === name);
  const choose = (event) => (location.hash = `#/trace/${event.target.value}`);
  return html`
    <section>
      <h1>Pod trace</h1>
      <label>pod <select onChange=${choose} value=${pod ? keyOf(pod) : ''}>
        <option value="">choose a pod</option>
        ${pods.map((p) => html`<option value=${keyOf(p)}>${keyOf(p)}</option>`)}
      </select></label>
      ${!pod ? html`<p class="empty">${name ? `pod ${namespace}/${name} does not exist (any more).` : 'Choose a pod, or click one on the cluster page.'}</p>` : html`
        <p>${keyOf(pod)}: ${podState(pod)}${pod.spec?.nodeName ? ` on ${pod.spec.nodeName}` : ''}${pod.status?.podIP ? `, IP ${pod.status.podIP}` : ''}.
          <small>From the pod's events and conditions (second precision where the API keeps seconds).</small></p>
        <table class="trace">
          <thead><tr><th>offset</th><th>component</th><th>what happened</th></tr></thead>
          <tbody>${podTimeline(pod, live.list('events')).map((row) => html`
            <tr class=${row.warning ? 'warning' : ''}><td>${formatOffset(row.offsetMs)}</td><td>${row.component}</td><td>${row.what}</td></tr>`)}
          </tbody>
        </table>`}
    </section>`;
}
