// Audit: the audit log (GET /api/audit), filtered by route on the server and by actor in the page.
import { enc, get, optional } from '../api.js';
import { clear, fmt, h } from '../dom.js';
import { notAvailable } from './parts.js';

export function auditPage(el) {
  const route = h('select', { id: 'audit-route' }, h('option', { value: '' }, 'all routes'));
  const actor = h('input', { id: 'audit-actor', type: 'search', placeholder: 'actor contains…', 'aria-label': 'actor' });
  const error = h('p', { class: 'field-error', role: 'alert' });
  const table = h('div', { id: 'audit-entries' });
  clear(el, h('h1', {}, 'Audit log'), h('div', { class: 'card filters' }, route, actor), error, table);
  let entries = [];

  const draw = () => {
    const who = actor.value.trim().toLowerCase();
    const shown = entries.filter((e) => !who || String(e.actor).toLowerCase().includes(who));
    clear(table, h('table', { class: 'audit' },
      h('thead', {}, h('tr', {}, ['when', 'who', 'node', 'route', 'change', 'revision'].map((t) => h('th', {}, t)))),
      h('tbody', {}, shown.map((e) => h('tr', { dataset: { route: e.route || '', actor: e.actor || '' } },
        h('td', {}, fmt.time(e.time)), h('td', {}, e.actor), h('td', {}, e.node), h('td', {}, e.route), h('td', {}, e.change),
        h('td', { class: 'num' }, e.revisionBefore === e.revisionAfter ? e.revisionAfter : `${e.revisionBefore} → ${e.revisionAfter}`))))),
    shown.length ? null : h('p', { class: 'note' }, 'No entry.'));
  };
  const load = async () => {
    clear(error);
    try {
      const r = await optional(`/api/audit?limit=500${route.value ? `&route=${enc(route.value)}` : ''}`, 'audit');
      if (r === undefined) return clear(table, notAvailable('The audit log (GET /api/audit)'));
      entries = r.entries;
      draw();
    } catch (e) {
      error.textContent = e.message;
    }
    return null;
  };
  route.addEventListener('change', load);
  actor.addEventListener('input', draw);
  get('/api/routes').then((list) => list.routes.forEach((r) => route.append(h('option', { value: r.name }, r.name))),
    (e) => clear(error, e.message));
  load();
  return () => {};
}
