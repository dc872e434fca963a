// Pieces more than one view shows: the shares bar, the rollout's state, polling.
import { clear, fmt, h, versionColors } from '../dom.js';
import { shares } from '../policy.js';

/** A bar with one segment per version, as wide as its share, and a legend under it. */
export function sharesBar(route) {
  const colors = versionColors(route);
  const { shares: s, before } = shares(route);
  const bar = h('div', { class: 'shares-bar', role: 'img', 'aria-label': 'shares' });
  const legend = h('ul', { class: 'legend' });
  for (const [v, p] of Object.entries(s)) {
    if (p > 0) {
      const seg = h('span', { class: 'share', dataset: { version: v, share: String(p) }, title: `${v}: ${fmt.percent(p)}` });
      seg.style.width = `${p}%`;
      seg.style.background = colors[v];
      bar.append(seg);
    }
    const swatch = h('span', { class: 'swatch' });
    swatch.style.background = colors[v];
    legend.append(h('li', { dataset: { version: v } }, swatch, `${v} ${fmt.percent(p)}`));
  }
  const note = route.policy.override
    ? h('p', { class: 'note' }, `override: everyone to ${route.policy.override}`)
    : before.length ? h('p', { class: 'note' }, `after the match rules ${before.join(', ')}, which come first`) : null;
  return h('div', { class: 'shares' }, bar, legend, note);
}

/** The rollout's state in one line ("gray: progressing, step 2 of 4 at 25%"), or null when the route has none. */
export function rolloutLine(r) {
  if (!r || !r.state) return null;
  const version = r.spec && r.spec.version ? `${r.spec.version}: ` : '';
  return h('p', { class: `rollout-line state-${r.state}` }, `rollout ${version}${r.state}, step ${r.step + 1} of ${r.steps} at ${fmt.percent(r.weight)}`,
    r.reason ? ` — ${r.reason}` : '');
}

/** Calls `tick` now and every `ms` until the returned function is called; a failing tick shows its message in `status`. */
export function poll(tick, ms, status) {
  let stopped = false;
  let timer = null;
  const run = async () => {
    try {
      await tick();
      if (status) clear(status);
    } catch (e) {
      if (status && !stopped) clear(status, h('span', { class: 'error' }, e.message));
    }
    if (!stopped) timer = setTimeout(run, ms);
  };
  run();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}

export function notAvailable(what) {
  return h('p', { class: 'not-available' }, `${what}: not available on this gateway`);
}
