/**
 * The one rule for every URL okr sends a request to, or tells a browser to go to: a plugin's
 * authorization, token, revoke and data-API URLs, wherever they come from (the provider's
 * default, `config.json`, an environment variable), and every URL setting `okr config set` stores.
 *
 * - https, or plain http to this machine only (127.0.0.1, ::1, localhost: the simulator, a test
 *   server), since a Bearer token, a refresh token, a client secret or Oura's
 *   `?access_token=` would otherwise cross the network in clear;
 * - no user name or password in it: okr never sends one, and it would be printed, stored in
 *   `sync_runs.error` and replayed by `okr status` with every error that names the URL.
 *
 * An error names the setting and where its value came from and says what to run, and quotes at
 * most the scheme and host (never the userinfo, path or query). It is a `settings` ProviderError:
 * never retried, since a setting does not fix itself. Light on purpose: plugin objects load it.
 */
import { ProviderError } from '../errors.js';
import { isLoopbackHttp } from './loopback-url.js';

/** Where a setting's value came from, as the config service says (store/config.ts ValueSource). */
export type EndpointSource = 'file' | 'keychain' | 'secrets-file' | 'env' | 'default' | 'unset';

/** What an endpoint URL is, for the error: the more is known, the more precise the advice. */
export interface EndpointOrigin {
  pluginId: string;
  /** What the URL is for, in words: `token URL`, `API base URL`. */
  what: string;
  /** The setting, `plugin.oura.api_base_url`, when the URL is one. */
  setting?: string;
  /** Its environment variable, `OURA_API_BASE_URL`. */
  env?: string;
  /** Where the value came from, when known. */
  source?: EndpointSource;
  /** The provider's own URL, which unsetting the override gives back. */
  defaultUrl?: string;
}

/**
 * Why `value` cannot be an endpoint URL (words that follow its name: "must use https: …"), or
 * undefined when it can. Quotes nothing but the scheme and the host.
 */
export function endpointUrlProblem(value: string): string | undefined {
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    return 'must be a URL that starts with https://';
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') return `must be an https URL, not ${u.protocol}`;
  if (u.username !== '' || u.password !== '') return 'must not hold a user name or password';
  if (u.protocol === 'http:' && !isLoopbackHttp(value)) {
    return `must use https: plain http is allowed only to 127.0.0.1, ::1 or localhost, not to ${u.host}`;
  }
  return undefined;
}

function fromText(o: EndpointOrigin): string {
  if (o.source === 'env' && o.env) return `from ${o.env} in the environment`;
  if (o.source === 'file') return 'from the config file';
  if (o.source === 'default') return "the provider's default";
  return o.env ? `from the config file or ${o.env}` : '';
}

function hintFor(o: EndpointOrigin): string {
  const def = o.defaultUrl ? ` (${o.defaultUrl})` : '';
  if (!o.setting) {
    return `\`okr config list\` shows the ${o.pluginId} URL settings: fix the ${o.what} with \`okr config set plugin.${o.pluginId}.<key> <https URL>\`, or unset the environment variable it comes from.`;
  }
  const set = `\`okr config set ${o.setting} <https URL>\``;
  if (o.source === 'env' && o.env) {
    return `Unset ${o.env} to use the default${def}, or run ${set} (a stored value comes before the environment).`;
  }
  if (o.source === 'file') return `Run ${set}, or \`okr config unset ${o.setting}\` to use the default${def}.`;
  return `\`okr config list\` shows where it comes from: run ${set}${o.env ? `, or unset ${o.env}` : ''}.`;
}

/** The error for an endpoint URL that breaks the rule: one line, non-retryable, with what to run. */
export function endpointUrlError(o: EndpointOrigin, problem: string): ProviderError {
  const from = fromText(o);
  const name = o.setting ? `${o.setting}${from ? `, ${from}` : ''}` : from;
  const subject = `The ${o.what} of ${o.pluginId}${name ? ` (${name})` : ''}`;
  return new ProviderError('settings', `${subject} ${problem}.`, { hint: hintFor(o) });
}

/** `value`, parsed, when it may be used as an endpoint URL; else the error above. */
export function checkEndpointUrl(value: string, o: EndpointOrigin): URL {
  const problem = endpointUrlProblem(value);
  if (problem) throw endpointUrlError(o, problem);
  return new URL(value);
}
