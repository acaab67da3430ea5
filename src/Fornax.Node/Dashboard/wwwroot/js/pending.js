import { h, emptyState } from './dom.js';
import { state, objectsOf, keyOf } from './state.js';
import { deleteButton } from './actions.js';

// Keyspaces and services: listed once this site's API knows the kind and holds such objects; until then the
// view says what it will show.
const VIEWS = {
  keyspaces: {
    kind: 'Keyspace',
    title: 'Keyspaces',
    promise: 'Each keyspace with its keys, bytes and replication lag at every site.',
  },
  services: {
    kind: 'Service',
    title: 'Services',
    promise: 'Each service with its backends, their health, and the routes that reach them.',
  },
};

// Kept across redraws: a delete's outcome stays on screen until the next action.
const deleteResult = h('div.result');

export function renderPending(container, view) {
  const { kind, title, promise } = VIEWS[view];
  const known = state.kinds.some(k => k.kind === kind);
  const items = [...objectsOf(kind).values()].sort((a, b) => keyOf(a).localeCompare(keyOf(b)));
  if (!items.length) {
    container.replaceChildren(emptyState(`No ${title.toLowerCase()}`, `${promise} ${known
      ? `No ${kind} object is stored at this site yet.`
      : `This site does not serve ${kind} objects yet; this view lists them once it does.`}`));
    return;
  }
  const result = deleteResult;
  container.replaceChildren(h('h2', {}, title), h('table.list', {},
    h('thead', {}, h('tr', {}, ['Name', 'Namespace', 'Status', ''].map(t => h('th', {}, t)))),
    h('tbody', {}, items.map(o => h('tr', {}, h('td', {}, o.metadata.name), h('td', {}, o.metadata.namespace || 'default'),
      h('td', {}, h('pre', {}, JSON.stringify(o.status || {}, null, 1))), h('td', {}, deleteButton(o, result)))))), result);
}
