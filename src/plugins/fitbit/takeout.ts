/**
 * The fitbit plugin's file importer: a Google Takeout of Fitbit data, as a .zip or its unpacked
 * folder, into the same `fitbit.*` metrics the sync writes. Light on purpose (the registry loads
 * it at start-up); the parsing is in takeout-read.ts, loaded when an import runs.
 */
import type { FileImporter, ImportFiles } from '../import-types.js';

/** The folders of a Fitbit Takeout, in the legacy (`Takeout/Fitbit/…`) and newer (`Takeout/Google Health/…`) layouts. */
export const TAKEOUT_FOLDER_RE =
  /(?:^|\/)(?:Global Export Data|Physical Activity_GoogleData|Your Profile|Heart Rate Variability|Active Zone Minutes \(AZM\))\//;

export const fitbitTakeoutImporter: FileImporter = {
  id: 'takeout',
  summary: 'a Google Takeout of Fitbit data (.zip or its folder): Takeout/Fitbit/… or Takeout/Google Health/…',
  source: 'fitbit-takeout',
  detect: (files: ImportFiles) => files.entries.some((e) => TAKEOUT_FOLDER_RE.test(e.path)),
  wrongFileHint:
    'Export "Fitbit" (or "Google Health") at takeout.google.com and give the downloaded .zip, or the folder it unpacks to.',
  load: async () => {
    const { readTakeout } = await import('./takeout-read.js');
    return { read: readTakeout };
  },
};
