// The scheduling page: for each pod, the scheduler's decision as recorded on the pod (annotation
// scheduling.kubelab.io/decision): every node's filter result, each score and the total, and
// the pick. A pod without the annotation says so; nothing is guessed.

import { html } from '../html.js';
import { decisionsView } from '../view-model.js';

const DecisionTable = ({ decision }) => html`
  <table class="decision">
    <thead><tr><th>node</th><th>filters</th>${decision.scoreSteps.map((s) => html`<th>${s}</th>`)}<th>total</th></tr></thead>
    <tbody>
      ${decision.nodes.map((n) => html`
        <tr class=${n.node === decision.pick ? 'picked' : n.passed ? '' : 'rejected'}>
          <td>${n.node}${n.node === decision.pick ? ' ✔' : ''}</td>
          <td>${n.passed ? 'passed' : `${n.filter ?? 'rejected'}: ${n.reasons.join('; ')}`}</td>
          ${decision.scoreSteps.map((s) => html`<td>${n.scores[s] ?? ''}</td>`)}
          <td>${n.total ?? ''}</td>
        </tr>`)}
    </tbody>
  </table>`;

export function SchedulingPage({ live }) {
  const rows = decisionsView(live.list('pods'));
  return html`
    <section>
      <h1>Scheduling decisions <small>${rows.length} pod(s), newest first</small></h1>
      ${rows.map((row) => html`
        <article class="decision-row" data-pod=${row.key}>
          <h2>${row.key} <small>${row.nodeName ? `on ${row.nodeName}` : row.unschedulable ? `Pending: ${row.unschedulable}` : 'not scheduled yet'}</small></h2>
          ${!row.decision ? html`<p class="empty">no decision recorded (the scheduler writes ${'scheduling.kubelab.io/decision'} once it records decisions)</p>`
            : row.decision.error ? html`<p class="warning">${row.decision.error}</p><pre>${row.decision.raw}</pre>`
            : row.decision.nodes.length === 0 ? html`<p>pick: ${row.decision.pick ?? 'none'}</p><pre>${row.decision.raw}</pre>`
            : html`<p>pick: <strong>${row.decision.pick ?? 'none'}</strong> ${row.decision.message ?? ''}</p><${DecisionTable} decision=${row.decision} />`}
        </article>`)}
    </section>`;
}
