// Builds elements from data without innerHTML, so nothing the API returns is ever parsed as markup.

/**
 * h('td', {class: 'num', dataset: {version: 'gray'}, onclick: fn}, 'text', child, [more]) — attributes are set
 * with setAttribute, "on..." functions become listeners, null and false children are skipped.
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'value') el.value = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : String(c));
  }
}

export function clear(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

export const fmt = {
  percent: (p) => (p === null || p === undefined ? '—' : `${+(+p).toFixed(2)}%`),
  rate: (r) => (isNumber(r) ? (r >= 100 ? r.toFixed(0) : r.toFixed(1)) : '—'),
  ratio: (r) => (isNumber(r) ? `${(r * 100).toFixed(2)}%` : '—'),
  millis: (m) => (isNumber(m) ? `${m >= 100 ? m.toFixed(0) : m.toFixed(1)} ms` : '—'),
  time: (iso) => (iso ? new Date(iso).toLocaleString() : '—'),
  clock: (iso) => (iso ? new Date(iso).toLocaleTimeString() : '—'),
};

export function isNumber(x) {
  return typeof x === 'number' && Number.isFinite(x);
}

/** One colour per version, stable across pages: the baseline green, the rest in the order the route lists them. */
export function versionColors(route) {
  const palette = ['#b48ead', '#ebcb8b', '#88c0d0', '#d08770', '#5e81ac', '#bf616a'];
  const colors = {};
  let i = 0;
  for (const v of Object.keys(route.versions)) colors[v] = v === route.baseline ? '#a3be8c' : palette[i++ % palette.length];
  return colors;
}
