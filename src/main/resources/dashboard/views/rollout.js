// The rollout panel: the steps as a timeline, each analysis against its thresholds, and the controls.
import { optional } from '../api.js';
import { fmt, h } from '../dom.js';

/** {available: false} when the gateway has no rollout API; else {available: true, rollout: the state or null}. */
export async function loadRollout(base) {
  const r = await optional(`${base}/rollout`, 'rollout');
  if (r === null) return { available: false };
  return { available: true, rollout: r.state && r.state !== 'none' ? r : null };
}

/** `change(where, method, path, body)` runs a control and draws the page again. */
export function rolloutPanel(base, r, change) {
  if (!r) return h('p', { class: 'note', id: 'rollout-state' }, 'No rollout on this route.');
  const error = h('span', { class: 'field-error', role: 'alert' });
  const steps = (r.spec && r.spec.steps) || r.steps || [];
  const analyses = r.analyses || r.analysis || [];
  const control = (action, label) => h('button', { type: 'button', class: `rollout-${action}`,
    onclick: () => change(error, 'POST', `${base}/rollout/${action}`) }, label);
  const open = !['aborted', 'succeeded', 'promoted'].includes(r.state);
  return h('div', { class: 'rollout-panel' },
    h('p', { id: 'rollout-state', class: `state-${r.state}` }, `${r.version ? `${r.version}: ` : ''}${r.state}`,
      r.reason ? ` — ${r.reason}` : ''),
    h('ol', { class: 'timeline' }, steps.map((s, i) => h('li', {
      class: i < r.step ? 'done' : i === r.step ? 'current' : null,
    }, typeof s === 'object' ? `${s.weight}%${s.pause ? ` for ${s.pause}` : ''}` : `${s}%`))),
    analyses.length ? h('table', { class: 'analyses' },
      h('thead', {}, h('tr', {}, h('th', {}, 'step'), h('th', {}, 'requests'), h('th', {}, 'error ratio'), h('th', {}, 'p99'), h('th', {}, 'verdict'))),
      h('tbody', {}, analyses.map((a) => h('tr', { class: `verdict-${String(a.verdict).toLowerCase()}` },
        h('td', {}, a.step + 1), h('td', { class: 'num' }, a.requests),
        h('td', { class: 'num' }, a.errorRatio !== undefined ? fmt.ratio(a.errorRatio) : a.errorRate),
        h('td', { class: 'num' }, fmt.millis(a.p99Millis)), h('td', {}, a.verdict, a.detail ? ` — ${a.detail}` : ''))))) : null,
    open ? h('div', { class: 'controls' },
      r.state === 'paused' ? control('resume', 'Resume') : control('pause', 'Pause'),
      control('promote', 'Promote'), control('abort', 'Abort')) : null,
    error);
}
