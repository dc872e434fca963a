// Explain: which version a described request would get, and why, rule by rule (GET /api/explain).
import { enc, get } from '../api.js';
import { clear, h } from '../dom.js';

export function explainPage(el) {
  const routeSelect = h('select', { id: 'explain-route', name: 'route' }, h('option', { value: '' }, '(by path)'));
  const field = (id, label, attrs = {}) => [h('label', { for: id }, label), h('input', { id, name: id, ...attrs })];
  const area = (id, label, hint) => [h('label', { for: id }, label), h('textarea', { id, name: id, rows: 3, placeholder: hint })];
  const error = h('p', { id: 'explain-error', class: 'field-error', role: 'alert' });
  const result = h('div', { id: 'explain-result' });
  const form = h('form', { id: 'explain', class: 'card form-grid' },
    h('label', { for: 'explain-route' }, 'Route'), routeSelect,
    field('explain-ip', 'Client IP', { required: true, placeholder: '10.1.2.3' }),
    field('explain-path', 'Path', { placeholder: '/' }),
    field('explain-method', 'Method', { placeholder: 'GET' }),
    area('explain-headers', 'Headers', 'X-Beta: on (one per line)'),
    area('explain-cookies', 'Cookies', 'uid=alice (one per line)'),
    area('explain-query', 'Query', 'flag=1 (one per line)'),
    h('button', { type: 'submit' }, 'Explain'), error);
  clear(el, h('h1', {}, 'Explain a request'), form, result);
  get('/api/routes').then((list) => list.routes.forEach((r) => routeSelect.append(h('option', { value: r.name }, r.name))),
    (e) => clear(error, e.message));

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const q = [];
    const add = (k, v) => v && q.push(`${k}=${enc(v)}`);
    const value = (id) => form.querySelector(`#${id}`).value.trim();
    const lines = (id) => value(id).split('\n').map((l) => l.trim()).filter(Boolean);
    add('route', routeSelect.value);
    add('ip', value('explain-ip'));
    add('path', value('explain-path'));
    add('method', value('explain-method'));
    lines('explain-headers').forEach((l) => add('header', l));
    lines('explain-cookies').forEach((l) => add('cookie', l));
    lines('explain-query').forEach((l) => add('query', l));
    clear(error);
    try {
      show(result, await get(`/api/explain?${q.join('&')}`));
    } catch (e) {
      clear(result);
      error.textContent = e.message;
    }
  });
  return () => {};
}

function show(el, x) {
  clear(el, h('section', { class: 'card' },
    h('p', { class: 'verdict' }, 'Route ', h('strong', {}, x.route), ' sends it to ', h('strong', { id: 'explain-version' }, x.version),
      ` (upstream ${x.upstream})`),
    h('p', { id: 'explain-reason' }, x.reason, x.matchedEntry ? ` — matched ${x.matchedEntry}` : ''),
    x.override ? h('p', {}, `override in force: everyone to ${x.override}`) : null,
    h('table', { class: 'explained' },
      h('thead', {}, h('tr', {}, h('th', {}, 'rule'), h('th', {}, 'kind'), h('th', {}, 'tested'), h('th', {}, 'request had'), h('th', {}, 'outcome'))),
      h('tbody', {}, x.rules.map((r) => h('tr', { class: r.decided ? 'decided' : null, dataset: { rule: r.rule } },
        h('td', {}, r.rule), h('td', {}, r.kind), h('td', {}, r.condition), h('td', {}, r.observed),
        h('td', {}, r.decided ? `decided: ${r.version}` : 'passed on', r.bucket !== undefined ? ` (bucket ${r.bucket})` : '')))))));
}
