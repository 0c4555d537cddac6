// The scheduling page: for each pod, the scheduler's decision as recorded on the pod (annotation
// scheduling.kubelab.io/decision, see lib/scheduling/decision.ts): every node's filter result
// (the first filter that refused it, with its reasons), each score plugin's normalized score
// (raw in brackets) and the weighted total, and the pick. A pod without the annotation says so
// (bound by hand with spec.nodeName, or scheduled before decisions were recorded).

import { html } from '../html.js';
import { decisionsView } from '../view-model.js';

const DecisionTable = ({ decision }) => html`
  <table class="decision">
    <thead><tr><th>node</th><th>filters</th>${decision.scorePlugins.map((s) => html`<th>${s.name}${s.weight !== 1 ? ` ×${s.weight}` : ''}</th>`)}<th>total</th></tr></thead>
    <tbody>
      ${decision.rows.map((row) => html`
        <tr class=${row.picked ? 'picked' : row.rejectedBy ? 'rejected' : ''} data-decision-node=${row.node}>
          <td>${row.node}${row.picked ? ' ✔ picked' : ''}</td>
          <td>${row.rejectedBy ? `${row.rejectedBy}: ${row.reasons.join('; ')}` : 'passed'}</td>
          ${decision.scorePlugins.map((_, i) => html`<td>${row.scores[i] ? `${row.scores[i].normalized} (${row.scores[i].raw})` : ''}</td>`)}
          <td>${row.total ?? ''}</td>
        </tr>`)}
    </tbody>
  </table>
  ${decision.omitted ? html`<p class="empty">${decision.omitted} more node(s) not listed.</p>` : ''}`;

function DecisionBody({ decision }) {
  if (!decision) return html`<p class="empty">no decision recorded</p>`;
  if (decision.error) return html`<p class="warning">${decision.error}</p><pre>${decision.raw}</pre>`;
  return html`
    <p>${decision.result}${decision.picked ? html`: <strong>${decision.picked}</strong>` : ''}
      <small>${decision.feasible} of ${decision.nodes} node(s) passed every filter</small></p>
    ${decision.preFilter ? html`<p class="warning">refused before filtering by ${decision.preFilter.plugin}: ${decision.preFilter.reason}</p>` : ''}
    ${decision.rows.length ? html`<${DecisionTable} decision=${decision} />` : ''}
    ${!decision.picked && decision.reasons.length ? html`<ul>${decision.reasons.map(([reason, count]) => html`<li>${count} node(s): ${reason}</li>`)}</ul>` : ''}`;
}

export function SchedulingPage({ live }) {
  const rows = decisionsView(live.list('pods'));
  return html`
    <section>
      <h1>Scheduling decisions <small>${rows.length} pod(s), newest first</small></h1>
      ${rows.map((row) => html`
        <article class="decision-row" data-pod=${row.key} id=${`decision-${row.key}`}>
          <h2><a href=${`#/trace/${row.key}`}>${row.key}</a> <small>${row.nodeName ? `on ${row.nodeName}` : row.unschedulable ? `Pending: ${row.unschedulable}` : 'not scheduled yet'}</small></h2>
          <${DecisionBody} decision=${row.decision} />
        </article>`)}
    </section>`;
}
