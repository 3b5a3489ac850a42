declare global {
  interface Window {
    /** Set by config.js, which the server hosting dist/ may edit (see public/config.js). */
    BABBLE_BUDDY_ADMIN?: { apiUrl?: string };
  }
}

/**
 * The gateway's base URL: config.js at runtime, else VITE_API_URL at build time, else '' (this
 * page's origin: the gateway serves the admin at /admin/). Never taken from the page's own URL:
 * a crafted link must not be able to send an operator's password elsewhere.
 */
export function apiUrl(): string {
  const runtime = typeof window === 'undefined' ? undefined : window.BABBLE_BUDDY_ADMIN?.apiUrl;
  return (runtime || import.meta.env.VITE_API_URL || '').replace(/\/+$/, '');
}

/** What the login page shows as "signing in to …". */
export function apiLabel(): string {
  return apiUrl() || window.location.origin;
}
