/** The `fitbit` plugin's public surface: the plugin object and what `okr config setup` needs. */
export { type GoogleClientSecret, parseGoogleClientSecretFile } from './client-secret-file.js';
export { FITBIT_FIELDS, FITBIT_SCOPES } from './fields.js';
export { FITBIT_DEFAULT_URLS, FITBIT_PLUGIN_ID, fitbitPlugin } from './plugin.js';
