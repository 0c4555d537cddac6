// The cluster page (kube-ops-view's picture): every node a box with its health (Ready condition
// and gossip state), InternalIP and pod subnet, holding its pods as coloured squares.

import { html } from '../html.js';
import { clusterView } from '../view-model.js';

const PodChip = ({ pod }) => html`
  <a class=${`pod pod-${pod.state}`} href=${`#/trace/${pod.namespace}/${pod.name}`} data-pod=${pod.key} data-state=${pod.state} title=${`${pod.key} (${pod.state}) ${pod.ip ?? ''}`}>
    ${pod.name}
  </a>`;

export function ClusterPage({ live }) {
  const view = clusterView(live.list('nodes'), live.list('pods'));
  return html`
    <section class="cluster">
      <h1>Cluster <small>${view.nodes.length} node(s), ${live.list('pods').length} pod(s)</small></h1>
      <div class="legend">
        ${['ready', 'running', 'pending', 'succeeded', 'failed', 'terminating'].map((s) => html`<span class=${`pod pod-${s}`}>${s}</span>`)}
      </div>
      <div class="nodes">
        ${view.nodes.map((node) => html`
          <div class=${`node node-${node.health.label}`} data-node=${node.name} data-health=${node.health.label} data-gossip=${node.health.gossip ?? ''}>
            <h2>${node.name} <span class="badge">${node.health.label}</span></h2>
            <dl>
              <dt>Ready</dt><dd>${node.health.ready}</dd>
              <dt>gossip</dt><dd>${node.health.gossip ?? 'not reported'}</dd>
              <dt>IP</dt><dd>${node.ip ?? '-'}</dd>
              <dt>subnet</dt><dd>${node.subnet ?? 'not leased yet'}</dd>
              ${node.health.unschedulable ? html`<dt>cordoned</dt><dd>yes</dd>` : ''}
            </dl>
            <div class="pods">${node.pods.map((pod) => html`<${PodChip} pod=${pod} />`)}</div>
          </div>`)}
        ${view.unscheduled.length ? html`
          <div class="node node-unscheduled" data-node="">
            <h2>not on a node</h2>
            <div class="pods">${view.unscheduled.map((pod) => html`<${PodChip} pod=${pod} />`)}</div>
          </div>` : ''}
      </div>
    </section>`;
}
