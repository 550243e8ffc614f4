// The public REST API (the same one bots use), with the session's token.

export const BASE = "/api/v10";

/** An error answer in Discord's shape. */
export class ApiError extends Error {
  constructor(
    public status: number,
    public code: number,
    message: string,
    public errors?: unknown,
  ) {
    super(message);
  }

  /** The first field error's message, if any (`errors.<field>._errors[0].message`). */
  fieldMessage(): string | undefined {
    const walk = (v: unknown): string | undefined => {
      if (!v || typeof v !== "object") return undefined;
      const o = v as Record<string, unknown>;
      if (Array.isArray(o._errors) && o._errors.length > 0) {
        const first = o._errors[0] as { message?: string };
        return first.message;
      }
      for (const k of Object.keys(o)) {
        const m = walk(o[k]);
        if (m) return m;
      }
      return undefined;
    };
    return walk(this.errors);
  }
}

const TOKEN_KEY = "hearth.token";

export function savedToken(): string | null {
  return localStorage.getItem(TOKEN_KEY);
}

export function saveToken(token: string | null) {
  if (token) localStorage.setItem(TOKEN_KEY, token);
  else localStorage.removeItem(TOKEN_KEY);
}

export async function request<T>(
  method: string,
  path: string,
  body?: unknown,
  token: string | null = savedToken(),
): Promise<T> {
  const headers: Record<string, string> = {};
  if (token) headers["Authorization"] = token;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const res = await fetch(BASE + path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (res.status === 204) return undefined as T;
  const data = await res.json().catch(() => ({}));
  if (!res.ok) {
    throw new ApiError(res.status, data.code ?? 0, data.message ?? res.statusText, data.errors);
  }
  return data as T;
}

export interface User {
  id: string;
  username: string;
  global_name: string | null;
}

export interface PartialGuild {
  id: string;
  name: string;
  owner: boolean;
}

export const api = {
  register: (username: string, password: string) =>
    request<{ token: string }>("POST", "/auth/register", { username, password }, null),
  login: (login: string, password: string) =>
    request<{ token: string }>("POST", "/auth/login", { login, password }, null),
  logout: () => request<void>("POST", "/auth/logout"),
  me: () => request<User>("GET", "/users/@me"),
  guilds: () => request<PartialGuild[]>("GET", "/users/@me/guilds"),
  createGuild: (name: string) => request<PartialGuild>("POST", "/guilds", { name }),
};
