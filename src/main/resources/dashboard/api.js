// The admin API, as the dashboard calls it: the token from sessionStorage as a bearer token, no cookie.

const TOKEN_KEY = 'graygate.adminToken';

/** A failed call: the HTTP status and the API's own message ({"error": "..."}). */
export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }

  /** The path is no endpoint of this gateway (a feature of a later release), as opposed to an unknown route. */
  get noSuchEndpoint() {
    return this.status === 404 && this.message.startsWith('no such endpoint');
  }
}

export const token = {
  get: () => sessionStorage.getItem(TOKEN_KEY),
  set: (t) => sessionStorage.setItem(TOKEN_KEY, t),
  clear: () => sessionStorage.removeItem(TOKEN_KEY),
};

const listeners = new Set();

/** Called with the ApiError whenever a call is answered 401, so the page can ask for a token again. */
export function onUnauthorized(fn) {
  listeners.add(fn);
}

export async function call(method, path, body, extraHeaders = {}) {
  const headers = { Accept: 'application/json', ...extraHeaders };
  const t = token.get();
  if (t) headers.Authorization = `Bearer ${t}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let response;
  try {
    response = await fetch(path, {
      method, headers, body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store', credentials: 'omit', redirect: 'error',
    });
  } catch (e) {
    throw new ApiError(0, `the gateway cannot be reached: ${e.message}`);
  }
  let json = null;
  try {
    json = await response.json();
  } catch {
    // a body that is not JSON: the status alone says what happened
  }
  if (!response.ok) {
    const error = new ApiError(response.status, (json && json.error) || `HTTP ${response.status}`);
    if (response.status === 401) listeners.forEach((fn) => fn(error));
    throw error;
  }
  return json;
}

export const get = (path) => call('GET', path);

const missing = new Set();

/**
 * An endpoint that a gateway may not have yet (stats, nodes, audit, rollouts): its answer (which may be JSON null),
 * or undefined when this gateway has no such endpoint. A missing one is asked once per page load, not every 2 s.
 */
export async function optional(path, feature) {
  if (missing.has(feature)) return undefined;
  try {
    return await get(path);
  } catch (e) {
    if (e.noSuchEndpoint) {
      missing.add(feature);
      return undefined;
    }
    throw e;
  }
}

export const enc = encodeURIComponent;
