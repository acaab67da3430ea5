import { h } from './dom.js';
import { state, objectsOf, keyOf } from './state.js';
import { deleteButton } from './actions.js';

// Kept across redraws: a delete's outcome stays on screen until the next action.
const deleteResult = h('div.result');

// Every stored object by kind, each with a delete button (the site refuses what it inherited, and says why).
export function renderObjects(container) {
  const result = deleteResult;
  const sections = state.kinds.filter(k => k.kind !== 'Site').map(k => {
    const items = [...objectsOf(k.kind).values()].sort((a, b) => keyOf(a).localeCompare(keyOf(b)));
    return h('section', {}, h('h3', {}, `${k.plural} (${items.length})`),
      items.length ? h('table.list', {}, h('tbody', {}, items.map(o => h('tr', { dataset: { object: `${k.plural}/${o.metadata.name}` } },
        h('td', {}, o.metadata.name), h('td', {}, o.metadata.namespace || 'default'),
        h('td.muted', {}, o.metadata.annotations?.['fornax.io/origin'] ? `from ${o.metadata.annotations['fornax.io/origin']}` : ''),
        h('td', {}, deleteButton(o, result)))))) : h('p.muted', {}, 'none'));
  });
  container.replaceChildren(result, ...sections);
}
