// The workloads page: each Deployment with its ReplicaSets newest revision first, three bars per
// ReplicaSet (desired, current, ready) on one scale, so a rolling update is seen moving replicas
// from the old revision to the new one as the watches report it.

import { html } from '../html.js';
import { workloadsView } from '../view-model.js';

const Bar = ({ label, value, scale, kind }) => html`
  <div class="bar-row"><span class="bar-label">${label}</span>
    <span class="bar"><span class=${`fill fill-${kind}`} style=${`width:${(100 * value) / scale}%`}></span></span>
    <span class="bar-value">${value}</span></div>`;

export function WorkloadsPage({ live }) {
  const deployments = workloadsView(live.list('deployments.apps'), live.list('replicasets.apps'));
  return html`
    <section>
      <h1>Workloads <small>${deployments.length} Deployment(s)</small></h1>
      ${deployments.length === 0 ? html`<p class="empty">No Deployments.</p>` : ''}
      ${deployments.map((d) => html`
        <article class="deployment" data-deployment=${d.key}>
          <h2>${d.key} <small>${d.strategy}: ${d.ready}/${d.replicas} ready, ${d.updated} up to date, ${d.available} available</small></h2>
          ${d.replicaSets.map((rs) => html`
            <div class="replicaset" data-replicaset=${rs.name} data-revision=${rs.revision} data-desired=${rs.desired} data-current=${rs.current} data-ready=${rs.ready}>
              <h3>revision ${rs.revision} <small>${rs.name} · ${rs.images.join(', ')}</small></h3>
              <${Bar} label="desired" value=${rs.desired} scale=${d.scale} kind="desired" />
              <${Bar} label="current" value=${rs.current} scale=${d.scale} kind="current" />
              <${Bar} label="ready" value=${rs.ready} scale=${d.scale} kind="ready" />
            </div>`)}
        </article>`)}
    </section>`;
}
