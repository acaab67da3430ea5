import { h, emptyState } from './dom.js';
import { state, objectsOf } from './state.js';
import { sitesByPath } from './tree.js';

// This site's functions from GET /api/functions/stats (sent with every tick): rate from the last two ticks,
// latency quantiles, errors and cold starts. Every site counts its own calls; the others' are on their own pages.
export function renderFunctions(container) {
  const stats = state.tick?.functions?.functions || [];
  const previous = new Map((state.previousTick?.functions?.functions || []).map(f => [`${f.namespace}/${f.name}`, f]));
  const seconds = state.previousTick ? (Date.parse(state.tick.now) - Date.parse(state.previousTick.now)) / 1000 : 0;
  const declared = objectsOf('Function').size;
  const others = [...sitesByPath().values()].filter(s => s.metadata.name !== state.site?.name && s.status?.endpoints?.api);
  container.replaceChildren(
    h('h2', {}, `Functions at ${state.site?.name || 'this site'}`),
    stats.length
      ? h('table.list', {},
        h('thead', {}, h('tr', {}, ['Name', 'Namespace', 'Invocations/s', 'Total', 'p50', 'p99', 'Errors', 'Cold starts', 'In flight'].map(t => h('th', {}, t)))),
        h('tbody', {}, stats.map(f => {
          const before = previous.get(`${f.namespace}/${f.name}`);
          const rate = before && seconds > 0 ? ((f.invocations - before.invocations) / seconds).toFixed(1) : '—';
          return h('tr', { dataset: { function: f.name } },
            h('td', {}, f.name), h('td', {}, f.namespace), h('td', {}, rate), h('td', {}, f.invocations),
            h('td', {}, ms(f.p50Ms)), h('td', {}, ms(f.p99Ms)), h('td', {}, errors(f)), h('td', {}, f.coldStarts), h('td', {}, f.inFlight));
        })))
      : emptyState('No function serves here', declared
        ? `${declared} Function object(s) are stored here but none serves at this site yet (a mission places them).`
        : 'Functions deployed here by a mission will show their invocations per second, p50/p99 latency, errors and cold starts.'),
    others.length ? h('p.muted', {}, 'Other sites count their own calls: ', others.slice(0, 50).map(s => [h('a', { href: `${s.status.endpoints.api}/ui/#functions` }, s.metadata.name), ' '])) : null);
}

const ms = value => (value === null || value === undefined ? '—' : `${value} ms`);

const errors = f => f.traps + f.timeouts + f.memoryLimits + f.outputTooLarge + f.invalidResponses + f.tooManyRequests;
