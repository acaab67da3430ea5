import { h, setText, ago } from './dom.js';
import { state, objectsOf } from './state.js';

// The site tree as nested boxes: each site a card coloured by health, its children below it, joined by a line.
// Sites whose children are all leaves lay those out as a grid of tiles, so 500 edge sites fit on a screen.
// Cards are keyed by path and updated in place; the tree is rebuilt only when its shape changes.
const cards = new Map(); // path -> card element
let shape = '';

export function sitesByPath() {
  const byPath = new Map();
  for (const site of objectsOf('Site').values()) {
    const path = site.status?.path || site.metadata.name;
    byPath.set(path, site);
  }
  return byPath;
}

const parentPath = path => (path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : null);

export function health(site) {
  const s = site.status || {};
  if (s.phase === 'Offline') return 'down';
  if (s.healthy === false) return 'warn';
  if (s.healthy === true) return 'ok';
  return 'unknown';
}

export function linkOf(site) {
  const labels = site.metadata.labels || {};
  if (labels['fornax.io/link'] !== 'emulated') return null;
  return {
    latency: labels['fornax.io/link-latency'] || '0ms',
    bandwidth: labels['fornax.io/link-bandwidth'],
    loss: labels['fornax.io/link-loss'],
    state: site.status?.phase === 'Offline' ? 'down' : 'up',
  };
}

export function userLabels(site) {
  return Object.entries(site.metadata.labels || {}).filter(([k]) => !k.startsWith('fornax.io/'));
}

export function renderTree(container, onSelect) {
  const byPath = sitesByPath();
  const children = new Map();
  const roots = [];
  for (const path of [...byPath.keys()].sort()) {
    const parent = parentPath(path);
    if (parent && byPath.has(parent)) {
      if (!children.has(parent)) children.set(parent, []);
      children.get(parent).push(path);
    } else roots.push(path);
  }

  const newShape = [...byPath.keys()].sort().join('|');
  let tree = container.querySelector('.tree');
  if (!tree || newShape !== shape) {
    shape = newShape;
    cards.clear();
    tree = h('div.tree', { dataset: { sites: byPath.size } }, roots.map(path => node(path, children, byPath, onSelect)));
    container.replaceChildren(tree);
  }
  tree.dataset.sites = byPath.size;

  const now = Date.parse(state.tick?.now) || Date.now();
  for (const [path, site] of byPath) update(cards.get(path), site, now);
  for (const card of cards.values()) card.classList.toggle('selected', card.dataset.path === state.selected);
}

function node(path, children, byPath, onSelect) {
  const card = h('button.card', { type: 'button', dataset: { path }, onclick: () => onSelect(path) },
    h('span.name', {}, byPath.get(path).metadata.name),
    h('span.tier'), h('span.link'), h('span.heartbeat'), h('span.labels'));
  cards.set(path, card);
  const kids = children.get(path) || [];
  const leavesOnly = kids.length > 0 && kids.every(k => !children.has(k));
  return h('div.node', {}, card,
    kids.length ? h(leavesOnly ? 'div.children.grid' : 'div.children', {}, kids.map(k => node(k, children, byPath, onSelect))) : null);
}

function update(card, site, now) {
  if (!card) return;
  const s = site.status || {};
  const healthClass = `h-${health(site)}`;
  if (!card.classList.contains(healthClass)) {
    card.classList.remove('h-ok', 'h-warn', 'h-down', 'h-unknown');
    card.classList.add(healthClass);
  }
  card.dataset.health = health(site);
  card.title = `${s.path || site.metadata.name}: ${s.phase || 'Unknown'}`;
  setText(card.querySelector('.tier'), site.spec?.tier || '');
  const link = linkOf(site);
  const linkEl = card.querySelector('.link');
  setText(linkEl, link ? `⇡ ${link.latency} · ${link.state}` : '');
  linkEl.dataset.state = link?.state || '';
  setText(card.querySelector('.heartbeat'), `♥ ${ago(s.lastHeartbeat, now)}`);
  setText(card.querySelector('.labels'), userLabels(site).map(([k, v]) => `${k}=${v}`).join(' '));
}
