import { h } from './dom.js';
import { auth } from './api.js';
import { Feed } from './feed.js';
import { state, loadSnapshot, applyChanges, applyTick } from './state.js';
import { renderTree } from './tree.js';
import { renderSiteDetail } from './detail.js';
import { renderMissions } from './missions.js';
import { renderFunctions } from './functions.js';
import { renderKeyspaces } from './keyspaces.js';
import { renderServices } from './services.js';
import { renderObjects } from './objects.js';
import { renderApply } from './apply.js';

// Wiring: the feed fills the state, a frame renders the current view. Several feed messages within one frame cost
// one render. window.fornaxDashboard exposes timings for the benchmark (bench/Fornax.Bench.Dashboard).
const view = document.getElementById('view');
const detail = document.getElementById('detail');
const connection = document.getElementById('connection');
const metrics = { firstRenderMs: null, snapshotMs: null, renders: 0, lastRenderAt: 0 };
window.fornaxDashboard = metrics;
let scheduled = false;
let rendered = null;

const views = {
  tree: () => renderTree(view, select),
  missions: () => renderMissions(view),
  functions: () => renderFunctions(view),
  keyspaces: () => renderKeyspaces(view),
  services: () => renderServices(view),
  objects: () => renderObjects(view),
  apply: () => renderApply(view),
};

function current() {
  const name = location.hash.slice(1);
  return views[name] ? name : 'tree';
}

function select(path) {
  state.selected = state.selected === path ? null : path;
  state.changed.add('Site');
  schedule();
}

function schedule() {
  if (scheduled) return;
  scheduled = true;
  requestAnimationFrame(render);
}

function render() {
  scheduled = false;
  // Without authority there is nothing to show, but the views still draw (empty) so the actions can say why they fail.
  if (!state.site && !document.body.classList.contains('read-only')) return;
  const name = current();
  // The apply form keeps what is typed: it is drawn once per visit, not on every change.
  if (rendered !== name || name !== 'apply') views[name]();
  rendered = name;
  if (state.selected && name === 'tree') renderSiteDetail(detail, state.selected);
  else detail.hidden = true;
  for (const a of document.querySelectorAll('#nav a')) a.classList.toggle('active', a.dataset.view === name);
  state.changed.clear();
  metrics.renders++;
  metrics.lastRenderAt = performance.now();
  if (metrics.firstRenderMs === null) metrics.firstRenderMs = metrics.lastRenderAt;
  document.body.dataset.rendered = String(metrics.renders);
}

function setConnection(status, reason) {
  connection.dataset.state = status;
  if (status === 'live') {
    connection.textContent = connection.dataset.lostAt ? 'reconnected · live' : 'live';
    delete connection.dataset.lostAt;
    document.body.classList.remove('stale');
  } else if (status === 'lost') {
    connection.dataset.lostAt ||= new Date().toLocaleTimeString();
    connection.textContent = `connection lost at ${connection.dataset.lostAt}: ${reason}; retrying…`;
    document.body.classList.add('stale');
  }
}

const authBox = document.getElementById('auth');
function unauthorized(error) {
  authBox.hidden = false;
  document.body.classList.add('read-only');
  document.getElementById('auth-message').textContent =
    `Read-only: ${error.message}. ${auth.token ? 'The token this tab holds was refused.' : 'Paste a user token to see and change this site.'}`;
  document.getElementById('token-forget').hidden = !auth.token;
  connection.dataset.state = 'unauthorized';
  connection.textContent = 'no authority';
  schedule();
}

state.requestRender = schedule;

const feed = new Feed({
  onSnapshot: snapshot => {
    metrics.snapshotMs ??= performance.now();
    loadSnapshot(snapshot);
    authBox.hidden = true;
    document.body.classList.remove('read-only');
    document.getElementById('site-name').textContent = `${snapshot.site.path} (${snapshot.site.tier})`;
    document.title = `Fornax · ${snapshot.site.name}`;
    schedule();
  },
  onChange: events => { applyChanges(events); schedule(); },
  onTick: tick => { applyTick(tick); schedule(); },
  onStatus: setConnection,
  onUnauthorized: unauthorized,
});

document.getElementById('token-form').addEventListener('submit', event => {
  event.preventDefault();
  auth.token = document.getElementById('token').value.trim();
  feed.start();
});
document.getElementById('token-forget').addEventListener('click', () => {
  auth.token = null;
  feed.start();
});
window.addEventListener('hashchange', () => { rendered = null; schedule(); });
view.append(h('p.muted', {}, 'Loading…'));
feed.start();
