/**
 * Builds an Apple Health export.xml as the Health app writes it (the HealthKit Export Version 12
 * DTD of iOS 16 with its missing `>`, `<Record>` attributes in Apple's order, dates with their
 * UTC offset, `device` descriptions escaped; see test/fixtures/apple-health/SOURCES.md). Values
 * follow formulas of the day index `i`; trap days are in APPLE_TRAPS.
 *
 * Per day (offset +0100 unless a trap says otherwise):
 * - steps: iPhone 1000 + i % 300, 2000, 3000; the Watch the same intervals with 100 more each:
 *   the day keeps the Watch's 6300 + i % 300;
 * - resting heart rate 55 + i % 4; HRV SDNN two readings, 40 + i % 10 and 50;
 * - active energy: three Watch records of 100 kcal;
 * - sleep (the night ending that day): Watch Core 23:00–01:00, Deep –02:00, REM –03:00, Awake
 *   –03:10, Core –06:30 (440 minutes asleep), and the iPhone's InBed 22:30–07:00;
 *   in January of the first year the older `Asleep` value from the iPhone only, 23:30–06:45.
 * - weight on every 7th day, 70.2 kg.
 */
import { addDays, eachDate } from '../../src/dates.js';

export const APPLE_TRAPS = {
  /** Watch 23:50–00:10, 600 steps: 300 on each day. */
  acrossMidnight: '2023-03-10',
  /** The Watch's 12:00 record twice in a row: counted once. */
  repeatedRecord: '2023-04-01',
  /** Two resting heart rates, 55 and 60: 57.5. */
  twoRestingHr: '2023-05-05',
  /** 70.0 kg in the morning, 155 lb in the evening: the evening's 70.31 kg. */
  twoWeights: '2023-06-01',
  /** The evening's 71.4 kg written before the morning's 71.0 kg (files are not in time order): 71.4. */
  weightsOutOfOrder: '2024-02-10',
  /** Active energy in kJ (3 × 418.4 kJ = 300 kcal). */
  kilojoules: '2023-07-01',
  /** In Tokyo: every record of the day at +0900, dated as written. */
  travel: '2023-08-15',
  /** A 40-minute afternoon nap besides the night: the night counts. */
  nap: '2023-09-09',
} as const;

const DTD = `<!DOCTYPE HealthData [
<!-- HealthKit Export Version: 12 -->
<!ELEMENT HealthData (ExportDate,Me,(Record|Correlation|Workout|ActivitySummary|ClinicalRecord|Audiogram|VisionPrescription)*)>
<!ATTLIST HealthData
  locale CDATA #REQUIRED
>
<!ELEMENT ExportDate EMPTY>
<!ATTLIST ExportDate
  value CDATA #REQUIRED
>
<!ELEMENT Me EMPTY>
<!ATTLIST Me
  HKCharacteristicTypeIdentifierDateOfBirth         CDATA #REQUIRED
  HKCharacteristicTypeIdentifierBiologicalSex       CDATA #REQUIRED
>
<!ELEMENT Record ((MetadataEntry|HeartRateVariabilityMetadataList)*)>
<!ATTLIST Record
  type          CDATA #REQUIRED
  unit          CDATA #IMPLIED
  value         CDATA #IMPLIED
  sourceName    CDATA #REQUIRED
  sourceVersion CDATA #IMPLIED
  device        CDATA #IMPLIED
  creationDate  CDATA #IMPLIED
  startDate     CDATA #REQUIRED
  endDate       CDATA #REQUIRED
>
<!ELEMENT VisionPrescription ((RightEye|LeftEye|Attachment|MetadataEntry)*)>
<!ATTLIST VisionPrescription
  type             CDATA #REQUIRED
  dateIssued       CDATA #REQUIRED
  expirationDate   CDATA #REQUIRED
  brand            CDATA #IMPLIED
<!ELEMENT RightEye EMPTY>
]>`;

const WATCH_DEVICE =
  '&lt;&lt;HKDevice: 0x283e7c2d0&gt;, name:Apple Watch, manufacturer:Apple Inc., model:Watch, hardware:Watch6,1, software:10.1&gt;';

interface Rec {
  type: string;
  source: 'iPhone' | 'Apple Watch';
  unit?: string;
  start: string;
  end: string;
  value: string | number;
}

function at(date: string, hhmm: string, offset: string): string {
  return `${date} ${hhmm}:00 ${offset}`;
}

export function generateAppleExport(from: string, to: string, opts: { truncate?: boolean } = {}): string {
  const i = (d: string) => eachDate(from, d).length - 1;
  const byType = new Map<string, Rec[]>();
  const add = (r: Rec) => {
    const list = byType.get(r.type);
    if (list) list.push(r);
    else byType.set(r.type, [r]);
  };
  const Q = 'HKQuantityTypeIdentifier';
  for (const d of eachDate(from, to)) {
    const o = d === APPLE_TRAPS.travel ? '+0900' : '+0100';
    const k = i(d);
    const steps: Array<[string, string, number]> = [
      ['08:00', '08:30', 1000 + (k % 300)],
      ['12:00', '12:20', 2000],
      ['18:00', '18:40', 3000],
    ];
    for (const [s, e, v] of steps)
      add({ type: `${Q}StepCount`, source: 'iPhone', unit: 'count', start: at(d, s, o), end: at(d, e, o), value: v });
    for (const [s, e, v] of steps) {
      const rec: Rec = {
        type: `${Q}StepCount`,
        source: 'Apple Watch',
        unit: 'count',
        start: at(d, s, o),
        end: at(d, e, o),
        value: v + 100,
      };
      add(rec);
      if (d === APPLE_TRAPS.repeatedRecord && s === '12:00') add({ ...rec });
    }
    if (d === APPLE_TRAPS.acrossMidnight) {
      add({
        type: `${Q}StepCount`,
        source: 'Apple Watch',
        unit: 'count',
        start: at(d, '23:50', o),
        end: at(addDays(d, 1), '00:10', o),
        value: 600,
      });
    }
    add({
      type: `${Q}RestingHeartRate`,
      source: 'Apple Watch',
      unit: 'count/min',
      start: at(d, '07:00', o),
      end: at(d, '07:00', o),
      value: d === APPLE_TRAPS.twoRestingHr ? 55 : 55 + (k % 4),
    });
    if (d === APPLE_TRAPS.twoRestingHr)
      add({
        type: `${Q}RestingHeartRate`,
        source: 'Apple Watch',
        unit: 'count/min',
        start: at(d, '21:00', o),
        end: at(d, '21:00', o),
        value: 60,
      });
    add({
      type: `${Q}HeartRateVariabilitySDNN`,
      source: 'Apple Watch',
      unit: 'ms',
      start: at(d, '03:00', o),
      end: at(d, '03:01', o),
      value: 40 + (k % 10),
    });
    add({
      type: `${Q}HeartRateVariabilitySDNN`,
      source: 'Apple Watch',
      unit: 'ms',
      start: at(d, '15:00', o),
      end: at(d, '15:01', o),
      value: 50,
    });
    for (const h of ['09', '13', '19']) {
      if (d === APPLE_TRAPS.kilojoules)
        add({
          type: `${Q}ActiveEnergyBurned`,
          source: 'Apple Watch',
          unit: 'kJ',
          start: at(d, `${h}:00`, o),
          end: at(d, `${h}:30`, o),
          value: 418.4,
        });
      else
        add({
          type: `${Q}ActiveEnergyBurned`,
          source: 'Apple Watch',
          unit: 'kcal',
          start: at(d, `${h}:00`, o),
          end: at(d, `${h}:30`, o),
          value: 100,
        });
    }
    if (k % 7 === 0)
      add({
        type: `${Q}BodyMass`,
        source: 'iPhone',
        unit: 'kg',
        start: at(d, '07:15', o),
        end: at(d, '07:15', o),
        value: 70.2,
      });
    if (d === APPLE_TRAPS.weightsOutOfOrder) {
      for (const [clock, value] of [
        ['20:00', 71.4],
        ['07:00', 71.0],
      ] as const) {
        add({
          type: `${Q}BodyMass`,
          source: 'iPhone',
          unit: 'kg',
          start: at(d, clock, o),
          end: at(d, clock, o),
          value,
        });
      }
    }
    if (d === APPLE_TRAPS.twoWeights) {
      add({
        type: `${Q}BodyMass`,
        source: 'iPhone',
        unit: 'kg',
        start: at(d, '07:00', o),
        end: at(d, '07:00', o),
        value: 70.0,
      });
      add({
        type: `${Q}BodyMass`,
        source: 'iPhone',
        unit: 'lb',
        start: at(d, '20:00', o),
        end: at(d, '20:00', o),
        value: 155,
      });
    }
    add({
      type: `${Q}HeartRate`,
      source: 'Apple Watch',
      unit: 'count/min',
      start: at(d, '10:00', o),
      end: at(d, '10:00', o),
      value: 72,
    });

    // The night ending on d.
    const prev = addDays(d, -1);
    const S = 'HKCategoryTypeIdentifierSleepAnalysis';
    const V = 'HKCategoryValueSleepAnalysis';
    if (d.slice(0, 7) === from.slice(0, 7)) {
      add({ type: S, source: 'iPhone', start: at(prev, '23:30', o), end: at(d, '06:45', o), value: `${V}Asleep` });
    } else {
      add({ type: S, source: 'iPhone', start: at(prev, '22:30', o), end: at(d, '07:00', o), value: `${V}InBed` });
      const stages: Array<[string, string, string, string, string]> = [
        [prev, '23:00', d, '01:00', 'AsleepCore'],
        [d, '01:00', d, '02:00', 'AsleepDeep'],
        [d, '02:00', d, '03:00', 'AsleepREM'],
        [d, '03:00', d, '03:10', 'Awake'],
        [d, '03:10', d, '06:30', 'AsleepCore'],
      ];
      for (const [sd, s, ed, e, v] of stages)
        add({ type: S, source: 'Apple Watch', start: at(sd, s, o), end: at(ed, e, o), value: `${V}${v}` });
      if (d === APPLE_TRAPS.nap)
        add({
          type: S,
          source: 'Apple Watch',
          start: at(d, '14:00', o),
          end: at(d, '14:40', o),
          value: `${V}AsleepCore`,
        });
    }
  }
  const lines: string[] = [];
  for (const list of byType.values()) {
    for (const r of list) {
      const device = r.source === 'Apple Watch' ? ` device="${WATCH_DEVICE}"` : '';
      const unit = r.unit ? ` unit="${r.unit}"` : '';
      lines.push(
        ` <Record type="${r.type}" sourceName="${r.source}" sourceVersion="10.1"${device}${unit} creationDate="${r.end}" startDate="${r.start}" endDate="${r.end}" value="${r.value}">`,
        '  <MetadataEntry key="HKTimeZone" value="Europe/Berlin"/>',
        ' </Record>',
      );
    }
  }
  lines.push(
    ` <Workout workoutActivityType="HKWorkoutActivityTypeRunning" duration="30" durationUnit="min" sourceName="Apple Watch" startDate="${at(from, '17:00', '+0100')}" endDate="${at(from, '17:30', '+0100')}">`,
    '  <WorkoutStatistics type="HKQuantityTypeIdentifierActiveEnergyBurned" startDate="x" endDate="y" sum="300" unit="kcal"/>',
    ' </Workout>',
    ` <ActivitySummary dateComponents="${from}" activeEnergyBurned="300" activeEnergyBurnedGoal="500" activeEnergyBurnedUnit="kcal"/>`,
  );
  const xml = `<?xml version="1.0" encoding="UTF-8"?>\n${DTD}\n<HealthData locale="de_DE">\n <ExportDate value="2026-11-30 09:00:00 +0100"/>\n <Me HKCharacteristicTypeIdentifierDateOfBirth="1980-01-01" HKCharacteristicTypeIdentifierBiologicalSex="HKBiologicalSexFemale"/>\n${lines.join('\n')}\n</HealthData>\n`;
  return opts.truncate ? xml.slice(0, Math.floor(xml.length * 0.6)) : xml;
}
