/**
 * Reads the `client_secret_<id>.json` file Google's console downloads for an OAuth client, so that
 * `okr config setup fitbit` can take a path instead of two pasted values. A Desktop app client's file
 * has the top-level key "installed"; a Web client's has "web".
 */
import { OkrError } from '../../errors.js';

export interface GoogleClientSecret {
  clientId: string;
  clientSecret: string;
  /** "web" clients need exact redirect URIs, so okr's random loopback port will not work with them. */
  kind: 'installed' | 'web';
}

const DOWNLOAD_HINT =
  'In the Google Cloud console open Google Auth Platform → Clients, pick your "Desktop app" client and use "Download JSON".';

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function parseGoogleClientSecretFile(jsonText: string): GoogleClientSecret {
  let data: unknown;
  try {
    data = JSON.parse(jsonText);
  } catch {
    throw new OkrError('The client secret file is not valid JSON.', { hint: DOWNLOAD_HINT });
  }
  if (!isRecord(data))
    throw new OkrError('The client secret file does not hold a JSON object.', { hint: DOWNLOAD_HINT });

  const kind = isRecord(data.installed) ? 'installed' : isRecord(data.web) ? 'web' : undefined;
  if (!kind) {
    throw new OkrError('The file has no "installed" (or "web") section: it is not a Google OAuth client file.', {
      hint: DOWNLOAD_HINT,
    });
  }
  const section = data[kind] as Record<string, unknown>;
  const clientId = typeof section.client_id === 'string' ? section.client_id.trim() : '';
  const clientSecret = typeof section.client_secret === 'string' ? section.client_secret.trim() : '';
  if (!clientId) throw new OkrError(`The "${kind}" section has no client_id.`, { hint: DOWNLOAD_HINT });
  if (!clientSecret) {
    throw new OkrError(`The "${kind}" section has no client_secret.`, {
      hint: `Google requires the secret even for Desktop app clients. ${DOWNLOAD_HINT}`,
    });
  }
  return { clientId, clientSecret, kind };
}
