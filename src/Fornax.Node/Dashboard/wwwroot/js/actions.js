import { h } from './dom.js';
import { write, ApiError } from './api.js';
import { pluralOf } from './state.js';

/** Shows what an action did, or the API's refusal: its message and each field it names, as the CLI prints them. */
export function showResult(el, outcome) {
  if (outcome instanceof ApiError || outcome instanceof Error) {
    el.className = 'result error';
    el.replaceChildren(
      h('p.message', {}, outcome.code ? `refused (${outcome.code} ${outcome.reason}): ${firstLine(outcome.message)}` : outcome.message),
      outcome.causes?.length ? h('ul.causes', {}, outcome.causes.map(c => h('li', { dataset: { field: c.field } }, h('code', {}, c.field), ': ', c.message))) : null,
      outcome.code === 401 ? h('p', {}, 'Nothing was changed. Paste a user token above to act from this page.') : null);
  } else {
    el.className = 'result ok';
    el.replaceChildren(...[].concat(outcome).map(line => h('p', {}, line)));
  }
}

const firstLine = text => String(text).split('\n')[0];

export function deleteButton(obj, resultEl) {
  const origin = obj.metadata.annotations?.['fornax.io/origin'];
  return h('button.danger', {
    type: 'button',
    dataset: { action: 'delete' },
    title: origin ? `inherited from ${origin}: the site refuses to delete it here` : `delete ${obj.kind} ${obj.metadata.name}`,
    onclick: async event => {
      event.stopPropagation();
      if (!confirm(`Delete ${obj.kind} "${obj.metadata.name}"?`)) return;
      const ns = obj.metadata.namespace || 'default';
      try {
        await write('DELETE', `/apis/fornax.io/v1/namespaces/${encodeURIComponent(ns)}/${pluralOf(obj.kind)}/${encodeURIComponent(obj.metadata.name)}`);
        showResult(resultEl, `${obj.kind.toLowerCase()}.fornax.io/${obj.metadata.name} deleted`);
      } catch (error) {
        showResult(resultEl, error);
      }
    },
  }, 'Delete');
}
