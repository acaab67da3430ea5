// Tiny DOM helpers: h('div.card', {title: 'x'}, child, 'text') builds elements without innerHTML, so no text from
// the site is ever parsed as markup.
export function h(tag, attrs, ...children) {
  const [name, ...classes] = tag.split('.');
  const el = document.createElement(name || 'div');
  if (classes.length) el.className = classes.join(' ');
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on')) el.addEventListener(key.slice(2), value);
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else el.setAttribute(key, value === true ? '' : value);
  }
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

export function setText(el, text) {
  if (el.textContent !== text) el.textContent = text;
}

export function ago(iso, now) {
  if (!iso) return 'never';
  const seconds = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (seconds < 60) return `${seconds}s ago`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m ago`;
  return `${Math.floor(seconds / 3600)}h ago`;
}

/** The colour class of a mission state, as `fornax describe mission` colours it. */
export function stateClass(state) {
  if (state === 'Active') return 'ok';
  if (state === 'Pending') return 'warn';
  if (state === 'not match') return 'muted';
  if (state === 'cluster offline' || state === 'unreachable') return 'down';
  if (state === 'Failed' || state.startsWith('Failed: ')) return 'bad';
  return '';
}

export function emptyState(title, text) {
  return h('div.empty', {}, h('h2', {}, title), h('p', {}, text));
}
