// Live figures kept in the page (the stats API answers for one window at a time) and drawn with uPlot.
import uPlot from '/ui/vendor/uplot/uPlot.esm.js';
import { isNumber } from './dom.js';

const KEEP_SECONDS = 3600;

/** Per route and version: [time (s)], [req/s], [error ratio], [p50 ms], [p99 ms], the last hour, one point per poll. */
class Series {
  constructor() {
    this.byKey = new Map();
  }

  add(route, stats, now = Date.now() / 1000) {
    for (const v of stats.versions) {
      const key = `${route}\u0000${v.version}`;
      let s = this.byKey.get(key);
      if (!s) this.byKey.set(key, (s = { t: [], rate: [], errors: [], p50: [], p99: [] }));
      s.t.push(now);
      s.rate.push(num(v.requestsPerSecond));
      s.errors.push(num(v.errorRatio));
      s.p50.push(num(v.p50Millis));
      s.p99.push(num(v.p99Millis));
      while (s.t.length && s.t[0] < now - KEEP_SECONDS) for (const a of Object.values(s)) a.shift();
    }
  }

  /** The points of the last `seconds`, as uPlot data for the named fields. */
  data(route, version, fields, seconds) {
    const s = this.byKey.get(`${route}\u0000${version}`);
    if (!s) return [[], ...fields.map(() => [])];
    const from = s.t.findIndex((t) => t >= Date.now() / 1000 - seconds);
    const start = from < 0 ? s.t.length : from;
    return [s.t.slice(start), ...fields.map((f) => s[f].slice(start))];
  }
}

function num(x) {
  return isNumber(x) ? x : null;
}

export const series = new Series();

/** A 5-minute sparkline of one field: no axes, no legend. */
export function sparkline(el, color) {
  return new uPlot({
    width: 120, height: 28, class: 'spark',
    legend: { show: false }, cursor: { show: false }, select: { show: false },
    scales: { x: { time: false }, y: { range: (u, min, max) => [0, Math.max(max || 0, 1e-9)] } },
    axes: [{ show: false }, { show: false }],
    series: [{}, { stroke: color, width: 1.5, fill: `${color}33`, points: { show: false } }],
  }, [[], []], el);
}

/** A chart with axes and a legend for several fields of one version. */
export function chart(el, title, fields, colors, width) {
  return new uPlot({
    title, width, height: 160,
    scales: { x: { time: true } },
    series: [{}, ...fields.map((f, i) => ({ label: f.label, stroke: colors[i], width: 1.5, points: { show: false }, value: (u, v) => f.format(v) }))],
    axes: [{}, { size: 60, values: (u, vals) => vals.map((v) => fields[0].format(v)) }],
  }, [[], ...fields.map(() => [])], el);
}
