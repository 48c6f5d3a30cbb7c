/**
 * `okr report` end to end: the built binary writes the page from a real SQLite home, and a real
 * headless Chromium opens it from file://. Checked there: no console error and no script at all
 * (hostile names stay text), every chart has the number of points the data calls for (counted
 * from the data this test wrote, not from okr's JSON), and the page reads at 375 and 1280 px:
 * nothing wider than the screen, no two labels of a chart overlapping, labels inside their card.
 * A screenshot of each width is kept under $OKR_TEST_ARTIFACTS/report (default:
 * test-artifacts/report/), and the test prints where.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, eachDate, localDate } from '../../src/dates.js';
import { addCalendarYears } from '../../src/metrics/ranges.js';
import { openDatabase } from '../../src/store/db.js';
import { REPO_ROOT, runBin, tempDir, tempHome } from '../helpers/cli.js';

const CHROMIUM = '/usr/bin/chromium';

// The functions given to page.evaluate run in Chromium. The project type-checks for Node only
// (no DOM library), so these stand-ins name what that code uses.
// biome-ignore lint/suspicious/noExplicitAny: DOM nodes, typed by the browser, not by this project
type Node = any;
declare const document: { documentElement: Node; querySelectorAll(selector: string): Node };
declare const window: { innerWidth: number };
declare function getComputedStyle(e: Node): { display: string; fontSize: string };
const ARTIFACTS = join(process.env.OKR_TEST_ARTIFACTS ?? join(REPO_ROOT, 'test-artifacts'), 'report');
const HOSTILE_LABEL = '<script>alert(1)</script>';
const HOSTILE_TITLE = '</title><script>alert(2)</script>';
const HOSTILE_SOURCE = '<img src=x onerror=alert(3)>\u001b[2J';

let browser: Browser;
let home: string;
let env: Record<string, string>;
const today = localDate(new Date());
/** The day (days before today) whose sleep was by day, 09:00 to 17:00; night 1 is 22:43 to 06:37. */
const DAY_SLEEP = 4;
/** Dates this test stored a value on, per metric name. */
const stored = new Map<string, string[]>();

async function okr(args: string[], extraEnv: Record<string, string> = {}) {
  return runBin(args, { home, env: { ...env, ...extraEnv } });
}

beforeAll(async () => {
  home = tempHome();
  env = { OKR_SECRETS: 'file', NO_COLOR: '1' };
  const created = await okr([
    'metrics',
    'template',
    'create',
    'daily',
    '--metric',
    'Sleep=fitbit.sleepLength@>=7:30',
    '--metric',
    'Bed=fitbit.bedTime@<=23:00',
    '--metric',
    'Wake=fitbit.wakeUpTime',
    '--metric',
    'Steps=fitbit.steps@>=10000',
    '--metric',
    `${HOSTILE_LABEL}:number`,
    '--metric',
    'Mood:number',
    '--metric',
    'Meditated:boolean@yes',
    '--metric',
    'Note:text',
    '--metric',
    'fitbit.cardioLoad',
  ]);
  expect(created.code, created.stderr).toBe(0);
  const from = addDays(today, -29);
  expect((await okr(['objective', 'add', HOSTILE_TITLE, '--period', `${from}..${addDays(today, 30)}`])).code).toBe(0);
  const kr = await okr([
    'kr',
    'add',
    'Walk 3M steps',
    '--objective',
    '1',
    '--metric',
    'fitbit.steps',
    '--agg',
    'sum',
    '--target',
    '3000000',
  ]);
  expect(kr.code, kr.stderr).toBe(0);
  const kr2 = await okr([
    'kr',
    'add',
    'Sleep 7h',
    '--objective',
    '1',
    '--metric',
    'fitbit.sleepLength',
    '--agg',
    'avg',
    '--target',
    '>= 7:00',
  ]);
  expect(kr2.code, kr2.stderr).toBe(0);

  // 500 days of values in the real database, with gaps of each metric's own.
  const db = openDatabase(join(home, 'data', 'okr.db'));
  const put = db.prepare(
    "INSERT INTO daily_metric_values (date, metric_name, value, source, updated_at) VALUES (?, ?, ?, ?, '2026-01-01T00:00:00Z')",
  );
  const add = (date: string, metric: string, value: number | string, source: string) => {
    put.run(date, metric, value, source);
    stored.set(metric, [...(stored.get(metric) ?? []), date]);
  };
  db.transaction(() => {
    for (let i = 0; i < 500; i++) {
      const d = addDays(today, -i);
      if (i === DAY_SLEEP) {
        // A night shift: asleep by day, 09:00 to 17:00.
        add(d, 'fitbit.sleepLength', 480, 'fitbit');
        add(d, 'fitbit.bedTime', 9 * 60, 'fitbit');
        add(d, 'fitbit.wakeUpTime', 17 * 60, 'fitbit');
      } else if (i % 5 !== 2) {
        add(d, 'fitbit.sleepLength', 400 + ((i * 37) % 100), 'fitbit');
        add(d, 'fitbit.bedTime', (1350 + ((i * 13) % 120)) % 1440, 'fitbit');
        add(d, 'fitbit.wakeUpTime', 390 + ((i * 7) % 80), 'fitbit');
      }
      if (i % 3 !== 0) add(d, 'fitbit.steps', 6000 + ((i * 997) % 8000), 'fitbit');
      if (i % 7 === 0) add(d, 'script_alert_1_script', i % 10, 'manual');
      if (i % 2 === 0) add(d, 'mood', 5 + (i % 5), 'manual');
      if (i % 4 === 1) add(d, 'meditated', i % 8 === 1 ? 1 : 0, 'manual');
      if (i % 9 === 0) add(d, 'note', 'ran', 'manual');
      if (i === 3) add(d, 'stray', 1, HOSTILE_SOURCE);
    }
    // Names an older okr or a hand edit may have left raw: a terminal escape, a bidi override.
    db.prepare("UPDATE template_metrics SET label = ? WHERE metric_name = 'mood'").run('Mood\u001b[31m\u202eevil');
  })();
  db.close();

  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
  });
  mkdirSync(ARTIFACTS, { recursive: true });
}, 120_000);

afterAll(async () => {
  await browser?.close();
});

/** Days (or months) of the range holding at least one stored value of the metric. */
function expectedPoints(metric: string, from: string, bucket: (d: string) => string): number {
  return new Set((stored.get(metric) ?? []).filter((d) => d >= from && d <= today).map(bucket)).size;
}

interface PageFacts {
  errors: string[];
  dialogs: string[];
}

async function open(file: string, width: number): Promise<{ page: Page; facts: PageFacts }> {
  const page = await browser.newPage({ viewport: { width, height: 900 } });
  const facts: PageFacts = { errors: [], dialogs: [] };
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') facts.errors.push(m.text());
  });
  page.on('pageerror', (e) => facts.errors.push(String(e)));
  page.on('dialog', async (d) => {
    facts.dialogs.push(d.message());
    await d.dismiss();
  });
  // Anything the page would fetch: there must be nothing.
  await page.route('**/*', (route) =>
    route.request().url().startsWith('file://')
      ? route.continue()
      : route.abort().then(() => facts.errors.push(route.request().url())),
  );
  await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
  return { page, facts };
}

/** Per chart: its kind, its card's metric or key result, the dots, the line's vertices, bands. */
function chartCounts(page: Page) {
  return page.$$eval('.chart', (charts) =>
    charts.map((c) => {
      const card = c.closest('.card');
      const line = c.querySelector('path.line')?.getAttribute('d') ?? '';
      return {
        kind: [...c.classList].find((k) => k !== 'chart'),
        metric: card.dataset.metric ?? card.dataset.kr ?? card.dataset.plugin,
        // One dot element each, or past MAX_TITLED_DOTS one `M` each in a single path.
        dots:
          c.querySelectorAll('.pt').length +
          ((c.querySelector('path.pts')?.getAttribute('d') ?? '').match(/M/g) ?? []).length,
        vertices: (line.match(/[ML]/g) ?? []).length,
        bands: c.querySelectorAll('.band-cell').length,
        declared: Number(c.dataset.points),
      };
    }),
  );
}

/** Layout problems a reader would see: overflow, overlapping or clipped labels, tiny text. */
function layoutProblems(page: Page) {
  return page.evaluate(() => {
    const problems: string[] = [];
    const doc = document.documentElement;
    if (doc.scrollWidth > window.innerWidth)
      problems.push(`page is ${doc.scrollWidth}px wide in ${window.innerWidth}px`);
    const shown = (e: Node) => {
      const r = e.getBoundingClientRect();
      return getComputedStyle(e).display !== 'none' && r.width > 0 && r.height > 0;
    };
    const overlap = (a: Node, b: Node) =>
      a.left < b.right - 0.5 && b.left < a.right - 0.5 && a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5;
    document.querySelectorAll('.card').forEach((card: Node, ci: number) => {
      const box = card.getBoundingClientRect();
      if (card.scrollWidth > card.clientWidth + 1) problems.push(`card ${ci} content is wider than the card`);
      const groups = [
        [...card.querySelectorAll('.yaxis span, .xaxis span, .tlabel')],
        [...card.querySelectorAll('.facts span')],
        [...card.querySelectorAll('.averages > div')],
      ];
      // Date labels next to each other need a gap, or `4 Nov7 Nov` reads as one word.
      const dates = [...card.querySelectorAll('.xaxis span')].filter(shown);
      dates.slice(1).forEach((e: Node, i: number) => {
        const gap = e.getBoundingClientRect().left - dates[i]!.getBoundingClientRect().right;
        if (gap < 3)
          problems.push(`card ${ci}: "${dates[i]!.textContent}" and "${e.textContent}" ${gap.toFixed(1)}px apart`);
      });
      for (const group of groups) {
        const els = group.filter(shown);
        const rects = els.map((e: Node) => e.getBoundingClientRect());
        rects.forEach((r: Node, i: number) => {
          if (r.left < box.left - 0.5 || r.right > box.right + 0.5)
            problems.push(`card ${ci}: "${els[i]!.textContent}" sticks out`);
          if (parseFloat(getComputedStyle(els[i]!).fontSize) < 11)
            problems.push(`card ${ci}: "${els[i]!.textContent}" under 11px`);
          for (let j = i + 1; j < rects.length; j++) {
            if (overlap(r, rects[j]!))
              problems.push(`card ${ci}: "${els[i]!.textContent}" overlaps "${els[j]!.textContent}"`);
          }
        });
      }
    });
    return problems;
  });
}

async function screenshot(page: Page, name: string): Promise<string> {
  const path = join(ARTIFACTS, name);
  await page.screenshot({ path, fullPage: true });
  console.log(`screenshot: ${path}`);
  return path;
}

describe('okr report in Chromium', () => {
  it('a year by day: every chart has a point per day with data, and it reads at 375 and 1280 px', async () => {
    const file = join(tempDir('okr-report-'), 'year.html');
    const r = await okr(['report', '--since', '1y', '-o', file]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`Wrote ${file}`);
    const from = addDays(addCalendarYears(today, -1), 1);
    const day = (d: string) => d;

    for (const width of [1280, 375]) {
      const { page, facts } = await open(file, width);
      const counts = await chartCounts(page);
      const metric = (name: string) => counts.find((c) => c.kind === 'metric' && c.metric === name);
      for (const name of [
        'fitbit.sleepLength',
        'fitbit.bedTime',
        'fitbit.wakeUpTime',
        'fitbit.steps',
        'mood',
        'meditated',
        'script_alert_1_script',
      ]) {
        const c = metric(name);
        const want = expectedPoints(name, from, day);
        expect(want).toBeGreaterThan(40);
        expect(c, name).toMatchObject({ dots: want, vertices: want, declared: want });
      }
      // Text has no chart; a field the provider does not offer says so instead of a chart.
      expect(metric('note')).toBeUndefined();
      expect(metric('fitbit.cardioLoad')).toBeUndefined();
      expect(await page.textContent('[data-metric="fitbit.cardioLoad"] .na')).toMatch(/^n\/a: /);
      // One sleep band per night with both times.
      const sleep = counts.find((c) => c.kind === 'sleep');
      expect(sleep?.bands).toBe(expectedPoints('fitbit.bedTime', from, day));
      // The sleep by day is a band of its 8 hours, as tall as a night of that length (night 1
      // lasted 7:54), not a point at its bed time.
      const bandHeight = (date: string) =>
        page.$$eval(
          '.chart.sleep rect.band-cell',
          (rects, d) => rects.find((r) => r.textContent.startsWith(`${d}:`))?.getBoundingClientRect().height ?? 0,
          date,
        );
      const night = await bandHeight(addDays(today, -1));
      expect(night).toBeGreaterThan(5);
      expect(await bandHeight(addDays(today, -DAY_SLEEP))).toBeCloseTo((night * 480) / 474, 0);
      // Key results: the running sum on each of the 30 days so far; the average on days with sleep.
      const progress = counts.filter((c) => c.kind === 'progress');
      const firstSleep = stored
        .get('fitbit.sleepLength')!
        .filter((d) => d >= addDays(today, -29))
        .sort()[0]!;
      expect(progress.map((c) => c.dots)).toEqual([30, eachDate(firstSleep, today).length]);
      expect(await page.$$('.chart.progress path.pace')).toHaveLength(1);
      // Coverage: a cell per day of the range for each source.
      const cells = await page.$$eval('svg.strip', (s) => s.map((x) => x.querySelectorAll('rect.cell').length));
      expect(cells).toEqual([eachDate(from, today).length, eachDate(from, today).length, eachDate(from, today).length]);

      expect(await layoutProblems(page)).toEqual([]);
      expect(facts).toEqual({ errors: [], dialogs: [] });
      await screenshot(page, `year-${width}.png`);
      await page.close();
    }
  }, 120_000);

  it('every span reads at every card width: date labels apart, none outside its card; month steps', async () => {
    // 1086 px is the narrowest two-column layout (cards of 520 px); 701 px the narrowest with
    // every wide label; the spans cover each kind of tick (days, Mondays, months, years).
    const dir = tempDir('okr-report-');
    const spans = {
      '7d': addDays(today, -6),
      '30d': addDays(today, -29),
      '31d': addDays(today, -30),
      '120d': addDays(today, -119),
      '2y': addDays(addCalendarYears(today, -2), 1),
      '3y': addDays(addCalendarYears(today, -3), 1),
    };
    for (const [since, from] of Object.entries(spans)) {
      const file = join(dir, `${since}.html`);
      const r = await okr(['report', '--since', since, '-o', file]);
      expect(r.code, r.stderr).toBe(0);
      for (const width of [375, 701, 1086, 1280]) {
        const { page, facts } = await open(file, width);
        // The month averages are steps, one level across each month with data.
        const avg = (await page.getAttribute('[data-metric="fitbit.steps"] path.avg', 'd')) ?? '';
        expect(avg.match(/H/g) ?? [], since).toHaveLength(expectedPoints('fitbit.steps', from, (d) => d.slice(0, 7)));
        expect(await layoutProblems(page), `${since} at ${width} px`).toEqual([]);
        expect(facts).toEqual({ errors: [], dialogs: [] });
        await page.close();
      }
    }
  }, 120_000);

  it('ten years by month: one point per month with data; coverage by month', async () => {
    const file = join(tempDir('okr-report-'), 'decade.html');
    const r = await okr(['report', '--since', '10y', '-o', file]);
    expect(r.code, r.stderr).toBe(0);
    const from = addDays(addCalendarYears(today, -10), 1);
    const month = (d: string) => d.slice(0, 7);
    const months = new Set(eachDate(from, today).map(month)).size;
    for (const width of [375, 1280]) {
      const { page, facts } = await open(file, width);
      const counts = await chartCounts(page);
      for (const name of ['fitbit.sleepLength', 'fitbit.steps', 'mood']) {
        const want = expectedPoints(name, from, month);
        expect(
          counts.find((c) => c.metric === name && c.kind === 'metric'),
          name,
        ).toMatchObject({
          dots: want,
          vertices: want,
          declared: want,
        });
      }
      // Monthly points carry the band of their middle half.
      expect(await page.$$('.chart.metric path.band')).not.toHaveLength(0);
      const cells = await page.$$eval('svg.strip', (s) => s.map((x) => x.querySelectorAll('rect.cell').length));
      expect(new Set(cells)).toEqual(new Set([months]));
      expect(await layoutProblems(page)).toEqual([]);
      expect(facts).toEqual({ errors: [], dialogs: [] });
      await screenshot(page, `decade-${width}.png`);
      await page.close();
    }
  }, 120_000);

  it('hostile names stay text: no script, no dialog, control characters shown as escapes', async () => {
    const file = join(tempDir('okr-report-'), 'hostile.html');
    expect((await okr(['report', '--since', '90d', '-o', file])).code).toBe(0);
    const raw = readFileSync(file, 'utf8');
    expect(raw).not.toContain('<script');
    expect(raw).not.toContain('<img');
    expect(raw).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f\u202e]/);
    const { page, facts } = await open(file, 1280);
    expect(await page.$$('script, img')).toHaveLength(0);
    const text = (await page.textContent('body')) ?? '';
    expect(text).toContain(HOSTILE_LABEL);
    expect(text).toContain(HOSTILE_TITLE);
    expect(text).toContain('<img src=x onerror=alert(3)>\\x1b[2J');
    expect(text).toContain('Mood\\x1b[31m\\u202eevil');
    expect(await page.title()).toBe(`okr report: daily, ${addDays(today, -89)} to ${today}`);
    expect(facts).toEqual({ errors: [], dialogs: [] });
    await page.close();
  }, 60_000);

  it('--json gives the series the page draws', async () => {
    const dir = tempDir('okr-report-');
    const defaultPage = join(process.cwd(), 'okr-report.html');
    const before = existsSync(defaultPage);
    const r = await okr(['report', '--since', '1y', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(defaultPage)).toBe(before); // --json alone writes no page
    const data = JSON.parse(r.stdout);
    const file = join(dir, 'same.html');
    expect((await okr(['report', '--since', '1y', '-o', file])).code).toBe(0);
    const { page } = await open(file, 1280);
    const counts = await chartCounts(page);
    for (const m of data.metrics as Array<{ metric: string; points: unknown[] }>) {
      const c = counts.find((x) => x.kind === 'metric' && x.metric === m.metric);
      expect(c?.dots ?? 0, m.metric).toBe(c ? m.points.length : 0);
    }
    const curves = data.objectives.flatMap((o: { keyResults: Array<{ curve: unknown[] }> }) =>
      o.keyResults.map((k) => k.curve.length),
    );
    expect(counts.filter((c) => c.kind === 'progress').map((c) => c.dots)).toEqual(curves);
    await page.close();
  }, 60_000);

  it('--open hands the page to $BROWSER; a file okr did not write is never replaced', async () => {
    const dir = tempDir('okr-report-');
    const seen = join(dir, 'browser-saw.txt');
    const fake = join(dir, 'browser.sh');
    writeFileSync(fake, `#!/bin/sh\nprintf '%s' "$1" > '${seen}'\n`);
    chmodSync(fake, 0o700);
    const file = join(dir, 'open.html');
    const r = await okr(['report', '--since', '30d', '-o', file, '--open'], {
      BROWSER: fake,
      DISPLAY: '',
      WAYLAND_DISPLAY: '',
      XDG_CURRENT_DESKTOP: '',
    });
    expect(r.code, r.stderr).toBe(0);
    for (let i = 0; i < 100 && !existsSync(seen); i++) await new Promise((res) => setTimeout(res, 50));
    expect(readFileSync(seen, 'utf8')).toBe(pathToFileURL(file).href);

    // No browser and no display: says where the page is, opens nothing.
    const headless = await okr(['report', '--since', '30d', '-o', file, '--open'], {
      BROWSER: '',
      DISPLAY: '',
      WAYLAND_DISPLAY: '',
    });
    expect(headless.code).toBe(0);
    expect(headless.stderr).toContain(`No browser can open here: there is no display`);
    expect(headless.stderr).toContain(`Replaced ${file}`);

    const mine = join(dir, 'mine.html');
    writeFileSync(mine, '<p>my notes</p>');
    const refused = await okr(['report', '--since', '30d', '-o', mine]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('is not a report okr wrote');
    expect(readFileSync(mine, 'utf8')).toBe('<p>my notes</p>');
  }, 60_000);

  it('refuses a range in the future and both --period and --since', async () => {
    const next = String(Number(today.slice(0, 4)) + 1);
    const r = await okr(['report', '--period', next]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('starts after today');
    const both = await okr(['report', '--period', today.slice(0, 4), '--since', '1y']);
    expect(both.code).toBe(2);
  });
});
