/**
 * A home made by `okr demo --home <dir>` says so in its conf file (the `demo` section): its fitbit
 * settings point at the demo's simulators, which run only while `okr demo` does. A later
 * `okr sync` (or `status`) there then says to re-run the demo instead of retrying a dead port, and
 * `okr demo --home` refuses a folder that holds anything but a demo home, so it loses nothing.
 */
import { basename, dirname, resolve } from 'node:path';
import type { ConfFile } from '../store/conf-file.js';

export interface DemoRecord {
  /**
   * The demo home's folder (its OKR_HOME), absolute: the one in use, where this conf file is
   * (`<home>/config/config.json`), which is where `okr demo --home` runs it again. The folder
   * stored is the one the demo made, and a home copied or moved (`cp -a demo demo2`) still names
   * that one; it counts only for a conf file outside an OKR_HOME layout.
   */
  home: string;
  createdAt: string;
  /** The `okr demo` process while it runs (its simulator is up), else absent. */
  runningPid?: number;
}

export function demoRecord(conf: ConfFile): DemoRecord | undefined {
  const d = conf.data.demo as Partial<DemoRecord> | undefined;
  if (!d || typeof d !== 'object' || typeof d.home !== 'string' || typeof d.createdAt !== 'string') return undefined;
  return {
    home: homeInUse(conf) ?? d.home,
    createdAt: d.createdAt,
    ...(Number.isInteger(d.runningPid) ? { runningPid: d.runningPid } : {}),
  };
}

/** The OKR_HOME whose conf file this is (`<home>/config/config.json`), absolute; else undefined. */
function homeInUse(conf: Pick<ConfFile, 'file'>): string | undefined {
  const configDir = dirname(conf.file);
  if (basename(conf.file) !== 'config.json' || basename(configDir) !== 'config') return undefined;
  return resolve(dirname(configDir));
}

export function writeDemoRecord(conf: ConfFile, record: DemoRecord): void {
  conf.update((d) => {
    d.demo = record;
  });
}

/** "This is a demo home (made by okr demo on 2026-12-03)": how every command that meets one starts saying so. */
export function demoHomeIntro(d: DemoRecord): string {
  return `This is a demo home (made by okr demo on ${d.createdAt.slice(0, 10)})`;
}

/** The demo home whose simulator is not running now (a sync there can only fail), if this is one. */
export function staleDemoHome(conf: ConfFile, alive: (pid: number) => boolean): DemoRecord | undefined {
  const d = demoRecord(conf);
  return d && !(d.runningPid !== undefined && alive(d.runningPid)) ? d : undefined;
}
