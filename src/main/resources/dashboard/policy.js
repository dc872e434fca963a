// A route's policy in words, and the shares of traffic it gives each version.

function test(t) {
  if ('equals' in t) return `is "${t.equals}"`;
  if ('in' in t) return `is one of ${t.in.map((v) => `"${v}"`).join(', ')}`;
  if ('prefix' in t) return `starts with "${t.prefix}"`;
  if ('present' in t) return 'is present';
  if ('absent' in t) return 'is absent';
  if ('matches' in t) return `matches /${t.matches}/`;
  return JSON.stringify(t);
}

/** A condition of the policy document as a phrase: "client IP in set testers and header X-Beta is "on"". */
export function condition(c) {
  if (!c) return 'always';
  if (c.clientIp) return `client IP in set ${c.clientIp.inSet}`;
  if (c.header) return `header ${c.header.name} ${test(c.header)}`;
  if (c.cookie) return `cookie ${c.cookie.name} ${test(c.cookie)}`;
  if (c.query) return `query parameter ${c.query.name} ${test(c.query)}`;
  if (c.method) return `method is ${c.method.join(' or ')}`;
  if (c.path) return `path ${test(c.path)}`;
  if (c.all) return c.all.map(wrapped).join(' and ');
  if (c.any) return c.any.map(wrapped).join(' or ');
  if (c.not) return `not ${wrapped(c.not)}`;
  return JSON.stringify(c);
}

function wrapped(c) {
  return c.all || c.any ? `(${condition(c)})` : condition(c);
}

export function splitKey(by) {
  if (!by || by === 'clientIp') return 'client IP';
  if (by.header) return `header ${by.header}`;
  if (by.cookie) return `cookie ${by.cookie}`;
  if (by.query) return `query parameter ${by.query}`;
  return JSON.stringify(by);
}

/** One rule as a sentence. */
export function rule(r, baseline) {
  if (r.split) {
    const weights = Object.entries(r.split.weights).map(([v, w]) => `${w}% to ${v}`).join(', ');
    const when = r.when ? `when ${condition(r.when)}: ` : '';
    return `${when}split by ${splitKey(r.split.by)}: ${weights || 'nothing'}, the rest to ${baseline}`
      + (r.split.cohort ? ` (cohort ${r.split.cohort})` : '');
  }
  return `when ${condition(r.when)} → ${r.to}`;
}

/**
 * Each version's share of the requests that no earlier match rule takes, in percent: the API's own figures when it
 * gives them (an override, or an unconditional split), else the first unconditional split's weights, else all to
 * the baseline. `before` names the match rules that come first, whose share no one can know in advance.
 */
export function shares(route) {
  const versions = Object.keys(route.versions);
  const out = Object.fromEntries(versions.map((v) => [v, 0]));
  const policy = route.policy;
  if (route.shares) {
    for (const [v, p] of Object.entries(route.shares)) out[v] = +p;
  } else if (policy.override) {
    out[policy.override] = 100;
  } else {
    const split = policy.rules.find((r) => r.split && !r.when);
    let rest = 100;
    if (split) {
      for (const [v, w] of Object.entries(split.split.weights)) {
        out[v] = +w;
        rest -= +w;
      }
    }
    out[policy.baseline] += rest;
  }
  const cut = policy.override ? -1 : policy.rules.findIndex((r) => r.split && !r.when);
  const before = policy.override ? [] : policy.rules.slice(0, cut < 0 ? policy.rules.length : cut).map((r) => r.name);
  return { shares: out, before };
}

/** The split rules of a policy, with the largest weight each version may take (its slot of the bucket space). */
export function splits(route) {
  const others = Object.keys(route.versions).filter((v) => v !== route.policy.baseline);
  const slot = others.length ? 100 / others.length : 100;
  return route.policy.rules.filter((r) => r.split).map((r) => ({ rule: r, versions: others, slot }));
}
