// Requests to this site's API, same origin. The bearer token (if the operator gave one) lives in sessionStorage:
// it lasts as long as the tab and is never written anywhere else.
const TOKEN_KEY = 'fornax.token';

export const auth = {
  get token() { return sessionStorage.getItem(TOKEN_KEY); },
  set token(value) {
    if (value) sessionStorage.setItem(TOKEN_KEY, value); else sessionStorage.removeItem(TOKEN_KEY);
  },
};

export function headers(extra = {}) {
  const result = { Accept: 'application/json', ...extra };
  if (auth.token) result.Authorization = `Bearer ${auth.token}`;
  return result;
}

/** An API refusal: the Status message and, for validation, each field with its message. */
export class ApiError extends Error {
  constructor(code, reason, message, causes) {
    super(message);
    this.code = code;
    this.reason = reason;
    this.causes = causes;
  }
}

export async function readError(response) {
  let status = null;
  try { status = await response.json(); } catch { /* not a Status */ }
  const causes = (status?.details?.causes || []).map(c => ({ field: c.field || '', message: c.message || '' }));
  const message = status?.message || `${response.status} ${response.statusText}`;
  return new ApiError(response.status, status?.reason || response.statusText, message, causes);
}

/** A write: the API takes JSON or YAML bodies only, so every write names its content type. */
export async function write(method, path, body, contentType = 'application/json') {
  const response = await fetch(path, {
    method,
    headers: headers({ 'Content-Type': contentType }),
    body: body ?? (contentType === 'application/json' ? '{}' : ''),
  });
  if (!response.ok) throw await readError(response);
  return response.json();
}
