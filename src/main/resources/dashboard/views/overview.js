// Overview: every route's shares, live figures per version with 5-minute sparklines, rollouts, the store and nodes.
import { enc, get, optional } from '../api.js';
import { clear, fmt, h, versionColors } from '../dom.js';
import { series, sparkline } from '../charts.js';
import { notAvailable, poll, rolloutLine, sharesBar } from './parts.js';

export function overview(el) {
  const status = h('div', { class: 'status' });
  const routesEl = h('div', { class: 'routes' });
  const side = h('aside', { class: 'side' });
  clear(el, h('h1', {}, 'Overview'), status, h('div', { class: 'overview' }, routesEl, side));
  const sparks = new Map(); // route/version/field -> uPlot, kept across refreshes

  return poll(async () => {
    const [list, health, nodes] = await Promise.all([get('/api/routes'), get('/health'), optional('/api/nodes', 'nodes')]);
    const cards = [];
    let statsMissing = false;
    for (const route of list.routes) {
      // a gateway with rollouts says in each route's state whether one runs (rollout: null or its summary)
      const [stats, rollout] = await Promise.all([
        optional(`/api/stats?route=${enc(route.name)}&window=10s&scope=cluster`, 'stats'),
        'rollout' in route ? route.rollout : optional(`/api/routes/${enc(route.name)}/rollout`, 'rollout').catch(() => null),
      ]);
      if (stats) series.add(route.name, stats);
      else statsMissing = true;
      cards.push(card(route, stats, rollout, sparks));
    }
    clear(routesEl, statsMissing ? notAvailable('Live statistics (GET /api/stats)') : null, cards);
    clear(side, storePanel(health), nodesPanel(nodes, list.routes));
    const state = document.getElementById('store-state');
    state.textContent = `store ${health.store.connected ? 'connected' : 'unreachable'}`;
    state.className = `store-state ${health.store.connected ? 'ok' : 'bad'}`;
  }, 2000, status);
}

function card(route, stats, rollout, sparks) {
  const colors = versionColors(route);
  const byVersion = Object.fromEntries((stats ? stats.versions : []).map((v) => [v.version, v]));
  const rows = Object.entries(route.versions).map(([v, up]) => {
    const s = byVersion[v];
    const cells = ['rate', 'errors', 'p99'].map((field) => {
      if (!stats) return h('td', { class: 'num', dataset: { field } }, h('span', { class: 'figure' }, '—'));
      const key = `${route.name}/${v}/${field}`;
      let u = sparks.get(key);
      if (!u) {
        u = sparkline(h('div'), colors[v]);
        sparks.set(key, u);
      }
      u.setData(series.data(route.name, v, [field], 300));
      const value = field === 'rate' ? fmt.rate(s && s.requestsPerSecond)
        : field === 'errors' ? fmt.ratio(s && s.errorRatio) : fmt.millis(s && s.p99Millis);
      return h('td', { class: 'num', dataset: { field } }, h('span', { class: 'figure' }, value), u.root);
    });
    return h('tr', { dataset: { version: v } },
      h('th', { scope: 'row' }, v, v === route.baseline ? h('span', { class: 'tag' }, 'baseline') : null),
      h('td', {}, up.upstream), cells);
  });
  return h('section', { class: 'card route-card', dataset: { route: route.name } },
    h('h2', {}, h('a', { href: `#/route/${enc(route.name)}` }, route.name),
      h('span', { class: 'meta' }, `${route.host ? route.host : ''}${route.pathPrefix} · revision ${route.revision}`)),
    sharesBar(route),
    h('table', { class: 'versions' },
      h('thead', {}, h('tr', {}, h('th', {}, 'version'), h('th', {}, 'upstream'),
        h('th', { class: 'num' }, 'req/s'), h('th', { class: 'num' }, 'errors'), h('th', { class: 'num' }, 'p99'))),
      h('tbody', {}, rows)),
    rolloutLine(rollout),
    stats && stats.nodes > 1 ? h('p', { class: 'note' }, `figures over ${stats.nodes} nodes`) : null);
}

function storePanel(health) {
  const s = health.store;
  return h('section', { class: 'card store' }, h('h2', {}, 'Store'),
    h('dl', {},
      h('dt', {}, 'state'), h('dd', { class: s.connected ? 'ok' : 'bad', id: 'store-connected' }, s.connected ? 'connected' : 'unreachable'),
      h('dt', {}, 'location'), h('dd', {}, s.location || '—'),
      h('dt', {}, 'rules from'), h('dd', {}, s.rulesFrom || '—'),
      h('dt', {}, 'last sync'), h('dd', {}, fmt.time(s.lastSync)),
      h('dt', {}, 'snapshot'), h('dd', {}, `revision ${health.snapshot.revision}`),
      s.detail ? [h('dt', {}, 'detail'), h('dd', {}, s.detail)] : null));
}

/**
 * The nodes' heartbeats (GET /api/nodes): a node whose revision of a route is behind the newest any node reports
 * (or this node's own) is marked lagging, naming the route.
 */
function nodesPanel(nodes, routes) {
  if (!nodes) return h('section', { class: 'card nodes' }, h('h2', {}, 'Nodes'), notAvailable('Nodes (GET /api/nodes)'));
  const list = nodes.nodes || [];
  const newest = Object.fromEntries(routes.map((r) => [r.name, r.revision]));
  for (const n of list) for (const [r, rev] of Object.entries(n.revisions || {})) newest[r] = Math.max(newest[r] || 0, rev);
  const behind = (n) => Object.entries(n.revisions || {}).filter(([r, rev]) => rev < newest[r]).map(([r, rev]) => `${r} ${rev} < ${newest[r]}`);
  return h('section', { class: 'card nodes' }, h('h2', {}, 'Nodes'),
    nodes.clustered ? null : h('p', { class: 'note' }, 'one node: the store is not shared'),
    h('table', {}, h('thead', {}, h('tr', {}, h('th', {}, 'node'), h('th', {}, 'revisions'), h('th', {}, 'seen'))),
      h('tbody', {}, list.map((n) => {
        const late = behind(n);
        return h('tr', { class: late.length ? 'lagging' : null, dataset: { node: n.id } },
          h('td', {}, n.id, n.self ? h('span', { class: 'tag' }, 'this') : null, n.address ? h('div', { class: 'note' }, n.address) : null),
          h('td', {}, Object.entries(n.revisions || {}).map(([r, rev]) => `${r} ${rev}`).join(', ') || '—',
            late.length ? h('span', { class: 'tag bad', title: late.join(', ') }, `lagging: ${late.join(', ')}`) : null),
          h('td', {}, fmt.clock(n.lastHeartbeat)));
      }))));
}
