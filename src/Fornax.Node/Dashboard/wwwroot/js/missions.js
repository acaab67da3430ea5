import { h, stateClass, emptyState } from './dom.js';
import { state, objectsOf, keyOf } from './state.js';
import { deleteButton } from './actions.js';

// Kept across redraws: a delete's outcome stays on screen until the next action.
const deleteResult = h('div.result');

// Missions as `fornax get missions` lists them; the selected one as `fornax describe mission` shows it:
// placement, the content it delivers, and each site's state, one line per path.
export function renderMissions(container) {
  const missions = [...objectsOf('Mission').values()].sort((a, b) => keyOf(a).localeCompare(keyOf(b)));
  if (!missions.length) {
    container.replaceChildren(emptyState('No missions', 'Missions applied here or inherited from above will be listed with each site\'s state. Apply one from the Apply tab.'));
    return;
  }
  const result = deleteResult;
  container.replaceChildren(h('table.list', {},
    h('thead', {}, h('tr', {}, ['Name', 'Namespace', 'Placement', 'Content', 'State', 'Origin', ''].map(t => h('th', {}, t)))),
    h('tbody', {}, missions.map(m => missionRow(m, result)))), result);
}

function missionRow(m, result) {
  const key = keyOf(m);
  const open = state.openMission === key;
  const row = h('tr.mission', { dataset: { mission: m.metadata.name }, onclick: () => {
    state.openMission = open ? null : key;
    state.changed.add('Mission');
    state.requestRender();
  } },
  h('td', {}, h('strong', {}, m.metadata.name)),
  h('td', {}, m.metadata.namespace || 'default'),
  h('td', {}, placement(m.spec?.placement)),
  h('td', {}, (m.spec?.content || []).map(c => `${c.kind}/${c.metadata?.name}`).join(', ') || '—'),
  h('td', {}, summary(m.status?.state)),
  h('td', {}, m.metadata.annotations?.['fornax.io/origin'] || 'here'),
  h('td', {}, deleteButton(m, result)));
  return open ? [row, h('tr.describe', {}, h('td', { colspan: 7 }, describe(m)))] : row;
}

const placement = p => [p?.sites?.length ? `sites: ${p.sites.join(', ')}` : '', p?.selector ? selectorText(p.selector) : ''].filter(Boolean).join('; ') || 'every site';

function selectorText(selector) {
  const parts = Object.entries(selector.matchLabels || {}).map(([k, v]) => `${k}=${v}`);
  for (const e of selector.matchExpressions || []) parts.push(`${e.key} ${e.operator}${e.values ? ` (${e.values.join(', ')})` : ''}`);
  return parts.join(', ');
}

export function summary(states) {
  const values = Object.values(states || {});
  if (!values.length) return '—';
  const counts = new Map();
  for (const v of values) {
    const k = v.startsWith('Failed: ') ? 'Failed' : v;
    counts.set(k, (counts.get(k) || 0) + 1);
  }
  return [...counts].sort((a, b) => b[1] - a[1]).map(([k, n]) => h(`span.${stateClass(k)}`, {}, `${n} ${k} `));
}

function describe(m) {
  const states = Object.entries(m.status?.state || {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return h('div.describe', {},
    h('h4', {}, 'Content'),
    (m.spec?.content || []).length ? h('ul', {}, m.spec.content.map(contentItem)) : h('p.muted', {}, '<none>'),
    m.spec?.command ? [h('h4', {}, 'Command'), h('pre', {}, `${m.spec.command.command}${m.spec.command.reverseCommand ? `\nreverse: ${m.spec.command.reverseCommand}` : ''}`)] : null,
    h('h4', {}, 'State'),
    states.length
      ? h('table.states', {}, states.map(([path, st]) => h('tr', { dataset: { path } }, h('td', {}, path), h(`td.${stateClass(st)}`, {}, st))))
      : h('p.muted', {}, '<no site has reported yet>'),
    h('p.muted', {}, `Generation ${m.metadata.generation ?? '?'}, observed ${m.status?.observedGeneration ?? '—'}`));
}

// What each selected site received: the content objects themselves (a ConfigMap's data, a Function's module).
function contentItem(c) {
  const detail = c.kind === 'ConfigMap'
    ? Object.entries(c.data || {}).map(([k, v]) => h('div', {}, h('code', {}, k), ': ', String(v).slice(0, 200)))
    : c.kind === 'Function' ? h('div', {}, h('code', {}, c.spec?.module || ''))
      : null;
  return h('li', {}, h('strong', {}, `${c.kind.toLowerCase()}.fornax.io/${c.metadata?.name}`), detail);
}
