/**
 * Google's advice for a refused refresh: the platform maps the token endpoint's OAuth errors
 * (src/oauth/token-errors.ts); this adds what only Google does. Google sends
 * `refresh_token_expires_in` only for time-limited refresh tokens, which for a personal project
 * means the consent screen is in Testing mode, where refresh tokens live 7 days.
 */
import type { OAuthCredentials, TokenFailure } from '../types.js';

const RECONNECT = 'Run `okr connect fitbit` to sign in again.';

export function reauthHint(credentials: OAuthCredentials | undefined, nowMs: number): string {
  const expiresAt = credentials?.refreshTokenExpiresAt;
  if (expiresAt === undefined) {
    return `${RECONNECT} If your Google Cloud project's consent screen is in Testing mode, Google expires its refresh tokens after 7 days: publish it "In production" (Google Auth Platform → Audience) to stop this.`;
  }
  const when = expiresAt <= nowMs ? `expired on ${new Date(expiresAt).toISOString().slice(0, 10)}` : 'was time-limited';
  return `Your refresh token ${when}: Google gives 7-day refresh tokens to projects whose consent screen is in Testing mode. Publish the app "In production" (Google Auth Platform → Audience → Publish app), then ${RECONNECT.charAt(0).toLowerCase()}${RECONNECT.slice(1)}`;
}

const SETUP =
  'Run `okr config setup fitbit` and paste both the Client ID and the Client secret of your Desktop app client.';

/** `DataImportPlugin.tokenErrorHint` for Google's token endpoint (refresh only: connect has its own words). */
export function googleTokenErrorHint(
  failure: TokenFailure,
  credentials: OAuthCredentials | undefined,
  nowMs: number,
): string | undefined {
  if (!credentials) return undefined; // a code exchange: the platform's connect hints fit
  if (failure.category === 'reauth') return reauthHint(credentials, nowMs);
  if (failure.reason === 'invalid_client' || failure.reason === 'unauthorized_client') {
    return `The client ID or secret is wrong, or the OAuth client was deleted. ${SETUP}`;
  }
  if (failure.reason === 'invalid_request' && /client_secret/i.test(failure.description ?? ''))
    return `Google requires the client secret for Desktop app clients. ${SETUP}`;
  if (failure.category === 'scope') {
    return "A permission was not granted. Run `okr connect fitbit` again and tick every checkbox on Google's consent screen.";
  }
  if (failure.category === 'rate_limited')
    return 'Google allows a limited number of token requests; okr waits and retries.';
  return undefined;
}
