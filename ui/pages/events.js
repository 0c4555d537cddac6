// The events page: the cluster's events as one timeline, oldest at the top, newest at the bottom,
// Warnings marked. Events arrive as the watch delivers them.

import { html } from '../html.js';
import { eventsTimeline } from '../view-model.js';

export function EventsPage({ live }) {
  const events = eventsTimeline(live.list('events'));
  return html`
    <section>
      <h1>Events <small>the last ${events.length}</small></h1>
      <ol class="timeline">
        ${events.map((e) => html`
          <li class=${`event event-${e.type}`} data-event=${e.key}>
            <time>${e.time ? new Date(e.time).toLocaleTimeString() : ''}</time>
            <span class="reason">${e.reason}</span>
            <span class="object">${e.namespace ? `${e.namespace}/` : ''}${e.object}</span>
            <span class="message">${e.message}${e.count > 1 ? ` (x${e.count})` : ''}</span>
            <span class="source">${e.source}</span>
          </li>`)}
      </ol>
    </section>`;
}
