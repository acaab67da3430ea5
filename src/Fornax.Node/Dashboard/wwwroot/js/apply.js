import { h } from './dom.js';
import { write } from './api.js';
import { showResult } from './actions.js';

const EXAMPLE = `apiVersion: fornax.io/v1
kind: Mission
metadata:
  name: hello
spec:
  placement:
    selector:
      matchLabels:
        fornax.io/tier: edge
  content:
  - apiVersion: fornax.io/v1
    kind: ConfigMap
    metadata:
      name: hello
    data:
      greeting: hi
`;

let draft = null;

// Paste YAML (one or more documents) and apply it as 'fornax apply -f' would: every document is validated first,
// and a refusal names each field.
export function renderApply(container) {
  if (container.querySelector('#apply-form')) return;
  const text = h('textarea', { id: 'apply-text', spellcheck: 'false', rows: 22 });
  text.value = draft ?? EXAMPLE;
  text.addEventListener('input', () => { draft = text.value; });
  const result = h('div.result', { id: 'apply-result' });
  const form = h('form', { id: 'apply-form', onsubmit: async event => {
    event.preventDefault();
    try {
      const answer = await write('POST', '/api/dashboard/apply', text.value, 'application/yaml');
      showResult(result, answer.applied.map(a => `${a.kind.toLowerCase()}.fornax.io/${a.name} ${a.outcome}`));
    } catch (error) {
      showResult(result, error);
    }
  } }, h('h2', {}, 'Apply'), h('p.muted', {}, 'Paste any object (Mission, ConfigMap, Function, …) as YAML or JSON; several documents separated by ---.'),
  text, h('div.actions', {}, h('button', { type: 'submit', id: 'apply-button' }, 'Apply')), result);
  container.replaceChildren(form);
}
