// The services page: each Service's virtual addresses (ClusterIP:port, NodePort on every node,
// LoadBalancer ingress) and where they lead: its endpoints, grouped by the node they run on.

import { html } from '../html.js';
import { servicesView } from '../view-model.js';

export function ServicesPage({ live }) {
  const services = servicesView(live.list('services'), live.list('endpoints'), live.list('nodes'));
  return html`
    <section>
      <h1>Services <small>${services.length}</small></h1>
      <table class="services">
        <thead><tr><th>service</th><th>type</th><th>addresses</th><th>→ endpoints, per node</th></tr></thead>
        <tbody>
          ${services.map((s) => html`
            <tr data-service=${s.key}>
              <td>${s.key}</td>
              <td>${s.type}</td>
              <td>
                ${s.vips.map((v) => html`<div class="addr">${v}</div>`)}
                ${s.nodePorts.map((n) => html`<div class="addr nodeport" title=${`NodePort on ${n.node}`}>${n.address} <small>${n.node}</small></div>`)}
                ${s.loadBalancer.map((ip) => html`<div class="addr lb">${ip} <small>LB</small></div>`)}
              </td>
              <td>
                ${s.endpointsByNode.length === 0 ? html`<span class="empty">no endpoints</span>` : ''}
                ${s.endpointsByNode.map((group) => html`
                  <div class="endpoint-node"><strong>${group.node}</strong>
                    ${group.addresses.map((a) => html`<span class=${`endpoint ${a.ready ? 'ready' : 'not-ready'}`}>${a.ip}:${a.ports.join(',')} ${a.pod ?? ''}</span>`)}
                  </div>`)}
              </td>
            </tr>`)}
        </tbody>
      </table>
    </section>`;
}
