import { h, emptyState } from './dom.js';
import { state, objectsOf, keyOf } from './state.js';
import { deleteButton } from './actions.js';

// Keyspaces as `fornax get keyspaces -o wide` shows them: each keyspace, then one row per site holding it (replica or
// relay) with its keys, bytes, pending changes and replication lag. The figures are the Keyspace object's
// status.sites, which every site reports up with its heartbeats, so the watch brings each change live.
const deleteResult = h('div.result');

export function renderKeyspaces(container) {
  const keyspaces = [...objectsOf('Keyspace').values()].sort((a, b) => keyOf(a).localeCompare(keyOf(b)));
  if (!keyspaces.length) {
    const known = state.kinds.some(k => k.kind === 'Keyspace');
    container.replaceChildren(emptyState('No keyspaces', `Each keyspace with its keys, bytes and replication lag at every site. ${known
      ? 'No Keyspace object is stored at this site yet: a mission carrying one places it.'
      : 'This site does not serve Keyspace objects.'}`));
    return;
  }
  container.replaceChildren(h('h2', {}, 'Keyspaces'), h('table.list', {},
    h('thead', {}, h('tr', {}, ['Name', 'Prefix', 'Site', 'Role', 'Keys', 'Bytes', 'Lag', 'Pending', ''].map(t => h('th', {}, t)))),
    h('tbody', {}, keyspaces.map(keyspaceRows))), deleteResult);
}

function keyspaceRows(ks) {
  const sites = Object.entries(ks.status?.sites || {}).sort(([a], [b]) => a.localeCompare(b));
  const head = h('tr.keyspace', { dataset: { keyspace: ks.metadata.name } },
    h('td', {}, h('strong', {}, ks.metadata.name), ks.metadata.namespace && ks.metadata.namespace !== 'default' ? ` (${ks.metadata.namespace})` : ''),
    h('td', {}, h('code', {}, ks.spec?.prefix || '')),
    h('td.muted', {}, sites.length ? `${sites.length} site(s)` : 'no site has reported yet'),
    h('td', {}, ''), h('td', {}, ks.status?.keys ?? 0), h('td', {}, bytes(ks.status?.bytes ?? 0)),
    h('td', {}, ''), h('td', {}, ''), h('td', {}, deleteButton(ks, deleteResult)));
  return [head, ...sites.map(([path, s]) => h('tr', { dataset: { keyspace: ks.metadata.name, site: path } },
    h('td', {}, ''), h('td', {}, ''), h('td', {}, path), h('td', {}, s.replica ? 'replica' : 'relay'),
    h('td.keys', {}, s.keys), h('td.bytes', {}, bytes(s.bytes)),
    h(`td.lag${s.lagSeconds > 0 ? '.warn' : ''}`, {}, `${Math.floor(s.lagSeconds || 0)}s`),
    h(`td.pending${s.pending > 0 ? '.warn' : ''}`, {}, s.pending), h('td', {}, '')))];
}

export function bytes(n) {
  if (n < 1024) return `${n}B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)}KiB`;
  return `${(n / 1024 / 1024).toFixed(1)}MiB`;
}
