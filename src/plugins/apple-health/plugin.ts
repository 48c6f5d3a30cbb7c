/**
 * `apple-health`: the Health app's export (Profile → Export All Health Data → export.zip) read by
 * `okr import apple-health <export.zip | export.xml>`. Apple offers no web API, so this plugin has
 * no OAuth: it registers with `fileImport.oauth = false`, and `connect`, `sync`, `status` and
 * `config` say to run `okr import` instead (fileOnlyMessage). The OAuth methods the contract
 * requires answer with that same message.
 */
import { UsageError } from '../../errors.js';
import { type FileImporter, fileOnlyMessage, type ImportFiles } from '../import-types.js';
import type { DataImportPlugin } from '../types.js';
import { APPLE_HEALTH_FIELDS } from './fields.js';

/** The export's XML: `apple_health_export/export.xml` (a localised name in some languages), never the CDA file. */
export function isHealthXml(path: string): boolean {
  return (
    /\.xml$/i.test(path) &&
    !/_cda\.xml$/i.test(path) &&
    (/(^|\/)export\.xml$/i.test(path) || /(^|\/)apple_health_export\/[^/]+$/.test(path) || !path.includes('/'))
  );
}

export const appleHealthExportImporter: FileImporter = {
  id: 'export',
  summary: "the Health app's export.zip, or the export.xml inside it",
  source: 'apple-health-export',
  detect: (files: ImportFiles) => files.entries.some((e) => isHealthXml(e.path)),
  wrongFileHint:
    'On the iPhone: Health → your picture → Export All Health Data; give the export.zip (or the export.xml in it).',
  load: async () => {
    const { readHealthExport } = await import('./read.js');
    return { read: readHealthExport };
  },
};

const fileOnly = (): never => {
  throw new UsageError(fileOnlyMessage(appleHealthPlugin)!, 'okr import --help');
};

export const appleHealthPlugin: DataImportPlugin = {
  id: 'apple-health',
  name: 'Apple Health',
  description: "Steps, sleep stages, resting heart rate, HRV, weight and active energy from the Health app's export.",
  fileImport: { importers: [appleHealthExportImporter], oauth: false },
  getAdminConfigFields: () => [],
  getSetupInfo: () => [{ label: 'Import', value: 'okr import apple-health <export.zip>', kind: 'step' }],
  isConfigured: async () => true,
  getOAuthConfig: async () => fileOnly(),
  getAvailableFields: () => APPLE_HEALTH_FIELDS,
  validateCredentials: async () => fileOnly(),
  fetchData: async () => fileOnly(),
  getBaseUrls: async () => [],
};
