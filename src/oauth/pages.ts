/**
 * The small HTML pages the loopback server shows in the browser tab: what happened, and that the
 * tab can be closed. No scripts, no external resources, no links: the page is served next to an
 * authorization code in the address bar, and a strict CSP plus `no-referrer` keep it there.
 */

export type PageTone = 'success' | 'failure' | 'info';

export interface Page {
  status: number;
  tone: PageTone;
  title: string;
  /** Plain text; escaped when rendered. */
  message: string;
  /** Extra plain-text lines under the message. */
  details?: string[];
}

export const PAGE_HEADERS: Readonly<Record<string, string>> = {
  'Content-Type': 'text/html; charset=utf-8',
  'Cache-Control': 'no-store',
  'Content-Security-Policy':
    "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'Referrer-Policy': 'no-referrer',
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
};

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const MARK: Record<PageTone, string> = { success: '✓', failure: '✗', info: 'i' };
const COLOR: Record<PageTone, string> = { success: '#1a7f37', failure: '#cf222e', info: '#0969da' };

/** Escapes text, then shows `backquoted` commands as code. */
function text(s: string): string {
  return escapeHtml(s).replace(/`([^`]+)`/g, '<code>$1</code>');
}

export function renderPage(page: Page): string {
  const details = (page.details ?? []).map((d) => `<p class="detail">${text(d)}</p>`).join('\n    ');
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <meta name="referrer" content="no-referrer">
  <title>okr: ${escapeHtml(page.title)}</title>
  <style>
    body { font: 16px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0; background: #f6f8fa; color: #1f2328; }
    main { max-width: 34rem; margin: 12vh auto; padding: 2rem; background: #fff; border: 1px solid #d0d7de; border-radius: 12px; }
    h1 { font-size: 1.35rem; margin: 0 0 .75rem; display: flex; gap: .6rem; align-items: center; }
    .mark { display: inline-grid; place-items: center; width: 1.8rem; height: 1.8rem; border-radius: 50%; color: #fff; background: ${COLOR[page.tone]}; font-size: 1rem; }
    .detail { color: #59636e; font-size: .95rem; }
    .close { margin-top: 1.5rem; color: #59636e; font-size: .9rem; }
    code { font: .9em ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; background: #eff2f5; padding: .1em .35em; border-radius: 4px; }
  </style>
</head>
<body>
  <main>
    <h1><span class="mark" aria-hidden="true">${MARK[page.tone]}</span><span id="title">${escapeHtml(page.title)}</span></h1>
    <p id="message">${text(page.message)}</p>
    ${details}
    <p class="close">You can close this tab and return to the terminal.</p>
  </main>
</body>
</html>
`;
}

// The pages the connect flow shows. Kept here so their wording lives in one place.

export function successPage(pluginName: string, account: string): Page {
  return {
    status: 200,
    tone: 'success',
    title: `Connected to ${pluginName}`,
    message: `okr is now connected to ${pluginName} as ${account}.`,
    details: ['Next, run `okr sync` in the terminal to import your data.'],
  };
}

export function failurePage(title: string, message: string, details: string[] = []): Page {
  return { status: 400, tone: 'failure', title, message, details };
}

export function deniedPage(pluginName: string, error: string, description?: string, retry = 'okr connect'): Page {
  const declined = error === 'access_denied';
  return {
    status: 400,
    tone: 'failure',
    title: declined ? 'Access was not granted' : 'Sign-in failed',
    message: declined
      ? `You declined access, so okr is not connected to ${pluginName}.`
      : `${pluginName} answered with the error "${error}"${description ? `: ${description}` : '.'}`,
    details: [`Nothing was stored. Run \`${retry}\` again in the terminal to retry.`],
  };
}

export const NOT_FOUND_PAGE: Page = {
  status: 404,
  tone: 'info',
  title: 'Not found',
  message: 'This address only receives the sign-in redirect of `okr connect`.',
};
