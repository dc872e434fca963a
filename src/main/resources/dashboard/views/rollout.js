// The rollout panel: the steps as a timeline, each analysis against its thresholds, and the controls.
import { optional } from '../api.js';
import { fmt, h } from '../dom.js';

/**
 * {available: false} when the gateway has no rollout API; else {available: true, rollout: the state or null}. A
 * route state with a `rollout` field says whether one runs, so a route without one is not asked (and not 404).
 */
export async function loadRollout(base, route) {
  if (route && 'rollout' in route && !route.rollout) return { available: true, rollout: null };
  const r = await optional(`${base}/rollout`, 'rollout');
  if (r === undefined) return { available: false };
  return { available: true, rollout: r }; // null: the route has no rollout
}

/**
 * The rollout (GET /api/routes/{route}/rollout): its state and reason, the steps as a timeline, each analysis's
 * figures beside its thresholds with the verdict, and the controls. `change(where, method, path, body)` runs a
 * control and draws the page again.
 */
export function rolloutPanel(base, r, change) {
  if (!r) return h('p', { class: 'note', id: 'rollout-state' }, 'No rollout on this route.');
  const error = h('span', { class: 'field-error', role: 'alert' });
  const steps = (r.spec && r.spec.steps) || [];
  const control = (action, label) => h('button', { type: 'button', class: `rollout-${action}`, id: `rollout-${action}`,
    onclick: () => change(error, 'POST', `${base}/rollout/${action}`) }, label);
  const running = r.state === 'progressing' || r.state === 'paused';
  return h('div', { class: 'rollout-panel' },
    h('p', { id: 'rollout-state', class: `state-${r.state}` }, `${r.spec ? `${r.spec.version}: ` : ''}${r.state}`,
      `, step ${r.step + 1} of ${r.steps} at ${fmt.percent(r.weight)}`, r.reason ? ` — ${r.reason}` : ''),
    h('ol', { class: 'timeline' }, steps.map((s, i) => h('li', {
      class: i < r.step || r.state === 'succeeded' ? 'done' : i === r.step ? `current state-${r.state}` : null,
    }, `${fmt.percent(s.weight)}${s.pause ? ` for ${s.pause}` : ''}`))),
    (r.analyses || []).length ? h('table', { class: 'analyses', id: 'rollout-analyses' },
      h('thead', {}, h('tr', {}, ['step', 'weight', 'requests', 'error rate', 'p99', 'verdict'].map((t) => h('th', {}, t)))),
      h('tbody', {}, r.analyses.slice().reverse().map((a) => h('tr', { class: `verdict-${a.verdict}` },
        h('td', { class: 'num' }, a.step + 1),
        h('td', { class: 'num' }, fmt.percent(a.weight)),
        h('td', { class: 'num' }, `${a.requests}`, a.thresholds ? h('div', { class: 'note' }, `min ${a.thresholds.minRequests}`) : null),
        h('td', { class: 'num' }, a.errorRate, a.thresholds ? h('div', { class: 'note' }, `max ${a.thresholds.maxErrorRate}`) : null),
        h('td', { class: 'num' }, fmt.millis(a.p99Millis), a.thresholds && a.thresholds.maxP99Millis
          ? h('div', { class: 'note' }, `max ${a.thresholds.maxP99Millis} ms`) : null),
        h('td', {}, a.verdict, a.reason ? h('div', { class: 'note' }, a.reason) : null))))) : null,
    running ? h('div', { class: 'controls' },
      r.state === 'paused' ? control('resume', 'Resume') : control('pause', 'Pause'),
      control('promote', 'Promote'), h('span', { class: 'danger-wrap' }, control('abort', 'Abort'))) : null,
    error);
}
