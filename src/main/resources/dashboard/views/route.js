// One route: rules in words, IP sets, split weights, switch and rollback with the history, rollout, charts.
import { ApiError, call, enc, get, optional } from '../api.js';
import { clear, fmt, h, versionColors } from '../dom.js';
import { rule, splits } from '../policy.js';
import { chart, series } from '../charts.js';
import { notAvailable, poll, sharesBar } from './parts.js';
import { loadRollout, rolloutPanel } from './rollout.js';

const SHOWN_ENTRIES = 200;

export function routePage(el, name) {
  const base = `/api/routes/${enc(name)}`;
  const status = h('div', { class: 'status' });
  const body = h('div', { class: 'route-page' });
  const charts = h('section', { class: 'card charts' });
  clear(el, h('p', { class: 'crumbs' }, h('a', { href: '#/' }, 'Overview'), ' / ', name), status, body, charts);
  let shown = null; // the revision on screen
  let current = null; // the route as last read
  let busy = false; // a form is being used: do not redraw under the user's hands
  const rolloutCard = h('section', { class: 'card rollout' });
  let shownRollout = null; // the rollout as last drawn, as JSON

  async function render() {
    const [route, history] = await Promise.all([get(base), get(`${base}/history?limit=20`)]);
    const rollout = await loadRollout(base, route);
    shown = route.revision;
    current = route;
    drawRollout(rollout);
    clear(body,
      h('h1', {}, route.name, h('span', { class: 'meta' }, `${route.host || ''}${route.pathPrefix} · revision ${route.revision}`)),
      h('section', { class: 'card' }, h('h2', {}, 'Who gets which version'), sharesBar(route), controls(route)),
      h('section', { class: 'card' }, h('h2', {}, 'Rules, in order'), rulesList(route)),
      splitPanels(route),
      h('section', { class: 'card' }, h('h2', {}, 'IP sets'), ipSets(route)),
      rolloutCard,
      h('section', { class: 'card' }, h('h2', {}, 'History'), historyTable(route, history)));
    drawCharts(route);
  }

  /**
   * The rollout moves on its own: an analysis every interval, a pause while traffic is missing, a pause or abort by
   * someone else. None of that need change the route's revision, so the panel is read again on every refresh and
   * drawn again when the rollout changed.
   */
  function drawRollout(rollout) {
    shownRollout = JSON.stringify(rollout);
    clear(rolloutCard, h('h2', {}, 'Rollout'), rollout.available
      ? rolloutPanel(base, rollout.rollout, change) : notAvailable('Rollouts (/api/routes/{route}/rollout)'));
  }

  async function refreshRollout(route) {
    const rollout = await loadRollout(base, route);
    if (JSON.stringify(rollout) !== shownRollout) drawRollout(rollout);
  }

  const changed = async () => {
    busy = false;
    await render();
  };

  /** Runs one change; its error is shown in `where`, and the page is drawn again from the API either way. */
  async function change(where, method, path, payload) {
    clear(where);
    try {
      await call(method, path, payload);
    } catch (e) {
      clear(where, e.message);
      if (e instanceof ApiError && e.status !== 0) return false;
      throw e;
    }
    await changed();
    return true;
  }

  function controls(route) {
    const message = h('p', { id: 'control-error', class: 'field-error', role: 'alert' });
    const buttons = Object.keys(route.versions)
      .filter((v) => v !== route.policy.override)
      .map((v) => h('button', { type: 'button', id: `switch-${v}`, dataset: { version: v },
        onclick: () => change(message, 'POST', `${base}/switch`, { version: v }) }, `Switch everyone to ${v}`));
    return h('div', { class: 'controls' }, buttons,
      h('button', { type: 'button', id: 'rollback', class: 'danger',
        onclick: () => change(message, 'POST', `${base}/rollback`) }, 'Roll back the last change'),
      message);
  }

  function rulesList(route) {
    const p = route.policy;
    return h('ol', { id: 'rules', class: 'rules' },
      p.override ? h('li', { class: 'override' }, `override: everyone to ${p.override}`) : null,
      p.rules.map((r) => h('li', { dataset: { rule: r.name } }, h('strong', {}, r.name), ': ', rule(r, p.baseline))),
      h('li', { class: 'baseline' }, `otherwise → ${p.baseline} (the baseline)`));
  }

  function splitPanels(route) {
    const colors = versionColors(route);
    return splits(route).map(({ rule: r, versions, slot }) => {
      const error = h('span', { class: 'field-error', role: 'alert' });
      const confirmBox = h('div', { class: 'confirm', hidden: true });
      const sliders = versions.map((v) => {
        const current = +(r.split.weights[v] || 0);
        const out = h('output', { dataset: { version: v } }, fmt.percent(current));
        const input = h('input', { type: 'range', min: 0, max: slot, step: 0.5, value: current,
          dataset: { version: v }, 'aria-label': `${v} weight` });
        input.addEventListener('input', () => {
          busy = true;
          out.textContent = fmt.percent(input.value);
        });
        const swatch = h('span', { class: 'swatch' });
        swatch.style.background = colors[v];
        return { v, current, input, row: h('label', { class: 'slider' }, swatch, v, input, out) };
      });
      const apply = h('button', { type: 'button', class: 'apply-split' }, 'Apply…');
      apply.addEventListener('click', () => {
        const weights = Object.fromEntries(sliders.map((s) => [s.v, +s.input.value]));
        const diff = sliders.filter((s) => s.current !== +s.input.value).map((s) => `${s.v} ${fmt.percent(s.current)} → ${fmt.percent(s.input.value)}`);
        const yes = h('button', { type: 'button', class: 'confirm-split' }, 'Confirm');
        const no = h('button', { type: 'button', class: 'cancel-split' }, 'Cancel');
        clear(confirmBox, h('p', {}, diff.length ? `Change ${r.name}: ${diff.join(', ')}?` : 'Nothing changed; apply anyway?'), yes, no);
        confirmBox.hidden = false;
        no.addEventListener('click', () => changed());
        yes.addEventListener('click', () => change(error, 'PUT', `${base}/split/${enc(r.name)}`, { weights }));
      });
      return h('section', { class: 'card split', dataset: { rule: r.name } },
        h('h2', {}, `Split ${r.name}`),
        h('p', { class: 'note' }, `up to ${fmt.percent(slot)}${versions.length > 1 ? ' each' : ''}; the rest goes to ${route.policy.baseline}`),
        sliders.map((s) => s.row), apply, error, confirmBox);
    });
  }

  function ipSets(route) {
    const names = Object.keys(route.ipSets || {});
    if (!names.length) return h('p', { class: 'note' }, 'This route has no IP set.');
    return names.map((set) => {
      const list = h('ul', { class: 'entries' });
      const count = h('span', { class: 'meta' });
      const search = h('input', { type: 'search', class: 'search', placeholder: 'search', 'aria-label': `search ${set}` });
      const entry = h('input', { type: 'text', class: 'add-entry', placeholder: '10.1.2.3 or 10.0.0.0/8', 'aria-label': `add to ${set}` });
      const error = h('span', { class: 'field-error add-error', role: 'alert' });
      const setPath = `${base}/sets/${enc(set)}`;
      let entries = [];
      const draw = () => {
        const q = search.value.trim();
        const hits = entries.filter((e) => e.includes(q));
        count.textContent = `${entries.length} entries${q ? `, ${hits.length} match` : ''}${hits.length > SHOWN_ENTRIES ? `, first ${SHOWN_ENTRIES} shown` : ''}`;
        clear(list, hits.slice(0, SHOWN_ENTRIES).map((e) => h('li', { dataset: { entry: e } }, e,
          h('button', { type: 'button', class: 'remove', 'aria-label': `remove ${e}`,
            onclick: () => change(error, 'DELETE', setPath, { entries: [e] }) }, '×'))));
      };
      search.addEventListener('input', draw);
      get(setPath).then((s) => {
        entries = s.entries;
        draw();
      }, (e) => clear(list, h('li', { class: 'error' }, e.message)));
      const form = h('form', { class: 'add' }, entry, h('button', { type: 'submit' }, 'Add'), error);
      entry.addEventListener('input', () => {
        busy = true;
      });
      form.addEventListener('submit', (event) => {
        event.preventDefault();
        const value = entry.value.trim();
        if (value) change(error, 'POST', setPath, { entries: [value] });
      });
      return h('section', { class: 'ip-set', dataset: { set } }, h('h3', {}, set, ' ', count), form, search, list);
    });
  }

  function historyTable(route, history) {
    const error = h('p', { class: 'field-error', role: 'alert' });
    return [error, h('table', { id: 'history', class: 'history' },
      h('thead', {}, h('tr', {}, h('th', {}, 'revision'), h('th', {}, 'when'), h('th', {}, 'who'), h('th', {}, 'change'), h('th', {}))),
      h('tbody', {}, history.history.map((e) => h('tr', { dataset: { revision: String(e.revision) } },
        h('td', { class: 'num' }, e.revision), h('td', {}, fmt.time(e.at)), h('td', {}, e.actor), h('td', {}, e.change),
        h('td', {}, e.revision === route.revision ? h('span', { class: 'tag' }, 'in force')
          : h('button', { type: 'button', class: 'rollback-to', dataset: { revision: String(e.revision) },
            onclick: () => change(error, 'POST', `${base}/rollback`, { to: e.revision }) },
          'Roll back to this revision'))))))];
  }

  let span = 300;
  let plots = [];
  let statsAvailable = true;

  function drawCharts(route) {
    if (!statsAvailable) return;
    const colors = versionColors(route);
    const width = Math.max(260, Math.min(560, charts.clientWidth - 32));
    plots = [];
    const toggle = h('div', { class: 'span-toggle' }, [['5 m', 300], ['1 h', 3600]].map(([label, s]) =>
      h('button', { type: 'button', class: s === span ? 'active' : null, onclick: () => { span = s; drawCharts(route); } }, label)));
    const grid = h('div', { class: 'chart-grid' });
    for (const v of Object.keys(route.versions)) {
      const box = h('div', { class: 'version-charts', dataset: { version: v } }, h('h3', {}, v));
      const defs = [
        ['requests/s', [{ label: 'req/s', field: 'rate', format: (x) => fmt.rate(x) }], [colors[v]]],
        ['error ratio', [{ label: 'errors', field: 'errors', format: (x) => fmt.ratio(x) }], ['#bf616a']],
        ['latency', [{ label: 'p50', field: 'p50', format: (x) => fmt.millis(x) }, { label: 'p99', field: 'p99', format: (x) => fmt.millis(x) }],
          ['#88c0d0', '#d08770']],
      ];
      for (const [title, fields, cs] of defs) {
        const holder = h('div', { class: 'chart' });
        box.append(holder);
        plots.push({ v, fields: fields.map((f) => f.field), u: chart(holder, title, fields, cs, width) });
      }
      grid.append(box);
    }
    clear(charts, h('h2', {}, 'Per version'), toggle, grid);
    update(route);
  }

  function update(route) {
    for (const p of plots) p.u.setData(series.data(route.name, p.v, p.fields, span));
  }

  const stop = poll(async () => {
    if (shown === null) {
      await render();
    } else {
      const now = await get(base);
      if (now.revision !== shown && !busy) await render();
      else await refreshRollout(now); // the panel holds no form: it is drawn again even while one is being used
    }
    const stats = await optional(`/api/stats?route=${enc(name)}&window=10s&scope=cluster`, 'stats');
    if (stats) {
      series.add(name, stats);
      update(current);
    } else if (statsAvailable) {
      statsAvailable = false;
      clear(charts, h('h2', {}, 'Per version'), notAvailable('Live statistics (GET /api/stats)'));
    }
  }, 2000, status);
  return stop;
}
