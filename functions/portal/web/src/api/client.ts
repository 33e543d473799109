// The one door to the API: bearer token from sessionStorage, JSON in and out, errors as
// `ApiError` carrying the API's `{code, message, field, violations}`; on 401 one refresh
// is tried, else the session ends and the sign-in page opens.
import type { components } from './schema';

// The code is one of the documented ErrorCode values, or `HTTP_<status>` when the answer
// was not the API's JSON error (a proxy's page, a network failure).
export type ErrorBody = Omit<components['schemas']['Error'], 'code'> & { code: components['schemas']['ErrorCode'] | `HTTP_${number}` };
export type Violation = NonNullable<ErrorBody['violations']>[number];
export type Application = components['schemas']['Application'] & {
  applicant_name?: string;
  unit_org?: string;
  flags?: Record<string, unknown>;
  publicity?: {
    start: string;
    end: string;
    complaint_office: string;
    complaint_phone: string;
  } | null;
  return_items?: { field: string; reason: string }[] | null;
  decision_reason?: string | null;
  created_at?: string;
  updated_at?: string;
  submitted_at?: string | null;
};
export type Material = components['schemas']['Material'];
export type Commitment = components['schemas']['Commitment'];
export type HistoryEntry = components['schemas']['HistoryList'][number] & { detail?: unknown };
export interface Page<T> {
  items: T[];
  page: number;
  page_size: number;
  total: number;
}

// The sign-in API (issue: identity). Not yet in shared/openapi.json when this was
// written; these mirror its contract and move to `components['schemas']` once described.
export type Role = 'applicant' | 'unit' | 'dept' | 'committee_org' | 'judge' | 'province';
export interface Membership {
  /** Absent for the judge membership. */
  operator_id: number | null;
  role: Role;
  org: string;
  org_name: string;
  title: string;
}
export interface SessionUser {
  person_id: string;
  name: string;
  citizen_id?: string;
}
export interface SessionAnswer {
  access_token: string;
  refresh_token: string;
  expires_in: number;
  user: SessionUser;
  memberships: Membership[];
}

export class ApiError extends Error {
  constructor(
    public status: number,
    public body: ErrorBody,
  ) {
    super(body.message);
  }
  get code() {
    return this.body.code;
  }
  get field() {
    return this.body.field;
  }
  get violations(): Violation[] {
    return this.body.violations ?? [];
  }
}

const ACCESS = 'zc.access';
const REFRESH = 'zc.refresh';

export const tokens = {
  get access() {
    return sessionStorage.getItem(ACCESS);
  },
  get refresh() {
    return sessionStorage.getItem(REFRESH);
  },
  set(access: string, refresh?: string | null) {
    sessionStorage.setItem(ACCESS, access);
    if (refresh) sessionStorage.setItem(REFRESH, refresh);
    else sessionStorage.removeItem(REFRESH);
  },
  clear() {
    sessionStorage.removeItem(ACCESS);
    sessionStorage.removeItem(REFRESH);
  },
};

/** Called when the session cannot be renewed (set by the router: go to sign-in). */
let onSignedOut: () => void = () => {};
export function setSignedOutHandler(f: () => void) {
  onSignedOut = f;
}
/** Called with each session answer (login, switch, refresh). */
let onSession: (a: SessionAnswer) => void = () => {};
export function setSessionHandler(f: (a: SessionAnswer) => void) {
  onSession = f;
}

export interface RequestOptions {
  method?: string;
  body?: unknown;
  raw?: Blob | ArrayBuffer;
  contentType?: string;
  query?: Record<string, string | number | boolean | undefined | null>;
  headers?: Record<string, string>;
  auth?: boolean;
  blob?: boolean;
}

function url(path: string, query?: RequestOptions['query']) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) {
    if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  }
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}

async function errorOf(res: Response): Promise<ApiError> {
  let body: ErrorBody;
  try {
    body = (await res.json()) as ErrorBody;
    if (!body || typeof body.message !== 'string') throw new Error('not an error body');
  } catch {
    body = { code: `HTTP_${res.status}`, message: `请求失败（HTTP ${res.status}）` };
  }
  return new ApiError(res.status, body);
}

async function send(path: string, o: RequestOptions): Promise<Response> {
  const headers: Record<string, string> = { ...(o.headers ?? {}) };
  let body: BodyInit | undefined;
  if (o.raw !== undefined) {
    body = o.raw;
    headers['content-type'] = o.contentType ?? 'application/octet-stream';
  } else if (o.body !== undefined) {
    body = JSON.stringify(o.body);
    headers['content-type'] = 'application/json';
  }
  const t = tokens.access;
  if (o.auth !== false && t) headers.authorization = `Bearer ${t}`;
  return fetch(url(path, o.query), { method: o.method ?? 'GET', headers, body });
}

let refreshing: Promise<boolean> | null = null;
async function refreshOnce(): Promise<boolean> {
  const rt = tokens.refresh;
  if (!rt) return false;
  refreshing ??= (async () => {
    try {
      const res = await fetch('/api/session/refresh', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ refresh_token: rt }),
      });
      if (!res.ok) return false;
      const a = (await res.json()) as SessionAnswer;
      tokens.set(a.access_token, a.refresh_token);
      onSession(a);
      return true;
    } catch {
      return false;
    } finally {
      refreshing = null;
    }
  })();
  return refreshing;
}

/** Calls the API; resolves with the parsed JSON (or a Blob with `blob: true`). */
export async function api<T = unknown>(path: string, o: RequestOptions = {}): Promise<T> {
  let res = await send(path, o);
  if (res.status === 401 && o.auth !== false) {
    if (await refreshOnce()) res = await send(path, o);
    if (res.status === 401) {
      const err = await errorOf(res);
      tokens.clear();
      onSignedOut();
      throw err;
    }
  }
  if (!res.ok) throw await errorOf(res);
  if (o.blob) return (await res.blob()) as T;
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

/** The claims of a token, for display only (the API verifies it; the portal never trusts it). */
export function claimsOf(token: string | null): { sub: string; name: string; role: Role; org: string; exp: number } | null {
  if (!token) return null;
  try {
    const part = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    const bin = atob(part + '='.repeat((4 - (part.length % 4)) % 4));
    const bytes = Uint8Array.from(bin, (c) => c.charCodeAt(0));
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return null;
  }
}
