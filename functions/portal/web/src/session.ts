// The signed-in session: who, which role now, which memberships can be switched to.
// Tokens live in sessionStorage (closed with the tab), never in localStorage.
import { reactive } from 'vue';
import {
  api,
  claimsOf,
  setSessionHandler,
  tokens,
  type Membership,
  type Role,
  type SessionAnswer,
  type SessionUser,
} from './api/client';

const INFO = 'zc.session';

interface Info {
  user: SessionUser | null;
  memberships: Membership[];
  role: Role | null;
  org: string;
}

export const session = reactive<Info>({ user: null, memberships: [], role: null, org: '' });

function persist() {
  sessionStorage.setItem(INFO, JSON.stringify(session));
}

function fromToken() {
  const c = claimsOf(tokens.access);
  session.role = c?.role ?? null;
  session.org = c?.org ?? '';
  if (!session.user && c) session.user = { person_id: c.sub, name: c.name };
}

/** Loads the session from sessionStorage (and the token's claims for display). */
export function restore() {
  try {
    Object.assign(session, JSON.parse(sessionStorage.getItem(INFO) ?? 'null') ?? {});
  } catch {
    /* a damaged entry is ignored */
  }
  fromToken();
}

/** Records a login / switch / refresh answer. */
export function accept(a: SessionAnswer) {
  tokens.set(a.access_token, a.refresh_token);
  session.user = a.user;
  session.memberships = a.memberships ?? [];
  fromToken();
  persist();
}
setSessionHandler(accept);

export function signedIn(): boolean {
  return !!tokens.access && !!session.role;
}

export async function login(account: string, password: string) {
  accept(await api<SessionAnswer>('/api/session/login', { method: 'POST', body: { account, password }, auth: false }));
}

/** `self` (back to the person), `judge` (the expert membership) or an operator id. */
export async function switchTo(key: string) {
  const body = key === 'self' ? {} : key === 'judge' ? { role: 'judge' } : { operator_id: Number(key) };
  accept(await api<SessionAnswer>('/api/session/switch', { method: 'POST', body }));
}

export async function logout() {
  try {
    if (tokens.access) await api('/api/session/logout', { method: 'POST' });
  } catch {
    /* signing out locally is enough when the server cannot be reached */
  } finally {
    tokens.clear();
    sessionStorage.removeItem(INFO);
    session.user = null;
    session.memberships = [];
    session.role = null;
    session.org = '';
  }
}

/** The home page of a role. */
export function homeOf(role: Role | null): string {
  switch (role) {
    case 'applicant':
      return '/applicant/applications';
    case 'unit':
      return '/unit/applications';
    case 'dept':
    case 'committee_org':
      return '/chain/applications';
    case 'judge':
      return '/judge';
    case 'province':
      return '/province/dashboard';
    default:
      return '/login';
  }
}
