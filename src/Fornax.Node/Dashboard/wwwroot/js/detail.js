import { h, ago, stateClass } from './dom.js';
import { state, objectsOf } from './state.js';
import { health, linkOf, userLabels, sitesByPath } from './tree.js';
import { write } from './api.js';
import { showResult } from './actions.js';

// Kept across redraws (every tick redraws the detail): an action's outcome stays until the next action.
const linkResult = h('div.result');

// The selected site: what `fornax get site NAME -o yaml` holds, readable, with its missions and its link.
export function renderSiteDetail(aside, path) {
  const site = sitesByPath().get(path);
  if (!site) {
    aside.hidden = true;
    return;
  }
  aside.hidden = false;
  const s = site.status || {};
  const now = Date.parse(state.tick?.now) || Date.now();
  const link = linkOf(site);
  const missions = [...objectsOf('Mission').values()]
    .map(m => [m.metadata.name, m.status?.state?.[path]])
    .filter(([, st]) => st);
  aside.replaceChildren(
    h('h2', {}, site.metadata.name, ' ', h(`span.badge.h-${health(site)}`, {}, s.phase || 'Unknown')),
    h('dl', {},
      row('Path', s.path),
      row('Tier', site.spec?.tier),
      row('Parent', site.spec?.parent || '— (the root)'),
      row('Healthy', String(s.healthy ?? 'unknown')),
      row('Last heartbeat', s.lastHeartbeat ? `${ago(s.lastHeartbeat, now)} (${s.lastHeartbeat})` : 'never'),
      row('Children', (s.children || []).join(', ') || '—'),
      row('Missions', s.missions ? `${s.missions.active} active of ${s.missions.received} received` : '—'),
      row('Labels', userLabels(site).map(([k, v]) => h('span.chip', {}, `${k}=${v}`))),
      row('Uplink', link ? `emulated: ${link.latency} latency${link.bandwidth ? `, ${link.bandwidth}` : ''}${link.loss ? `, ${link.loss} loss` : ''}; ${link.state}` : (site.spec?.parent ? 'not emulated' : '—')),
      row('API', s.endpoints?.api ? h('a', { href: `${s.endpoints.api}/ui/` }, s.endpoints.api) : '—'),
      row('Ingress', s.endpoints?.ingress)),
    linkActions(site, link),
    h('h3', {}, 'Mission state here'),
    missions.length
      ? h('ul.states', {}, missions.map(([name, st]) => h('li', {}, h('span', {}, name), h(`span.${stateClass(st)}`, {}, st))))
      : h('p.muted', {}, 'No mission has a state for this site.'));
}

function row(label, value) {
  return [h('dt', {}, label), h('dd', {}, value ?? '—')];
}

// The emulator sits in front of a site's own uplink, in that site's process: only the site's own API can cut or
// heal it. So this page offers the buttons for its own uplink and, for any other site, a link to that site's page.
function linkActions(site, link) {
  if (!link) return null;
  const own = site.metadata.name === state.site?.name;
  if (!own) {
    const api = site.status?.endpoints?.api;
    return h('p.muted', {}, 'Cut or heal this link from ', api ? h('a', { href: `${api}/ui/#tree` }, `${site.metadata.name}'s dashboard`) : `${site.metadata.name}'s dashboard`,
      ` (the link emulator runs in ${site.metadata.name}'s process), or with 'fornax link cut ${site.spec?.parent} ${site.metadata.name}'.`);
  }
  const result = linkResult;
  const act = action => async () => {
    try {
      await write('POST', `/api/uplink/${action}`);
      showResult(result, `link ${site.spec?.parent} ↔ ${site.metadata.name} ${action === 'cut' ? 'cut' : 'healed'}`);
    } catch (error) {
      showResult(result, error);
    }
  };
  return h('div.actions', {},
    h('button.danger', { type: 'button', onclick: act('cut'), dataset: { action: 'cut' } }, 'Cut uplink'),
    h('button', { type: 'button', onclick: act('heal'), dataset: { action: 'heal' } }, 'Heal uplink'),
    h('span.muted', {}, ` this site's uplink is ${state.tick?.uplink || 'unknown'}`),
    result);
}
