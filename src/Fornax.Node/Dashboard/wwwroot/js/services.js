import { h, emptyState } from './dom.js';
import { state, objectsOf, keyOf } from './state.js';
import { deleteButton } from './actions.js';

// Services as `fornax get services -o wide` shows them: every service this site's portal knows (Service objects and
// deployed functions, anywhere in the tree), the sites serving it with their health, and the route a request sent
// from here takes now. The portal's map comes with every tick (GET /api/services); the Service objects stored here
// are listed below it with their declared backends.
const deleteResult = h('div.result');

export function renderServices(container) {
  const known = state.tick?.services?.services || [];
  const stored = [...objectsOf('Service').values()].sort((a, b) => keyOf(a).localeCompare(keyOf(b)));
  if (!known.length && !stored.length) {
    container.replaceChildren(emptyState('No services', 'Each service with its backends, their health, and the routes that reach them: '
      + 'a Service object applied here or a function deployed anywhere in the tree.'));
    return;
  }
  container.replaceChildren(
    h('h2', {}, `Services seen from ${state.site?.path || 'this site'}`),
    known.length ? h('table.list', {},
      h('thead', {}, h('tr', {}, ['Namespace', 'Name', 'Backends', 'Route'].map(t => h('th', {}, t)))),
      h('tbody', {}, known.map(s => h('tr', { dataset: { service: `${s.namespace}/${s.name}` } },
        h('td', {}, s.namespace), h('td', {}, h('strong', {}, s.name)),
        h('td.backends', {}, s.backends.map(b => h(`span.chip.${b.healthy ? 'ok' : 'down'}`, { dataset: { site: b.site } }, `${b.site} (${b.healthy ? 'healthy' : 'offline'})`))),
        h('td.route', {}, s.route.length ? s.route.join(' → ') : 'no healthy site'))))) : h('p.muted', {}, 'The portal knows no service yet.'),
    stored.length ? [h('h3', {}, 'Service objects stored here'), h('table.list', {},
      h('thead', {}, h('tr', {}, ['Name', 'Namespace', 'Protocol', 'Declared backends', ''].map(t => h('th', {}, t)))),
      h('tbody', {}, stored.map(o => h('tr', { dataset: { object: `services/${o.metadata.name}` } },
        h('td', {}, o.metadata.name), h('td', {}, o.metadata.namespace || 'default'), h('td', {}, o.spec?.protocol || 'http'),
        h('td', {}, (o.spec?.backends || []).map(b => h('span.chip', {}, b.function ? `function ${b.function}` : `${b.site}: ${b.address}`))),
        h('td', {}, deleteButton(o, deleteResult))))))] : null,
    deleteResult);
}
