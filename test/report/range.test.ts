/** The range `okr report` covers and the label the page and the JSON give it. */
import { describe, expect, it } from 'vitest';
import { reportRange } from '../../src/report/run.js';

describe('reportRange', () => {
  const today = '2026-12-03';

  it('a span ending today is "last …", a start date "since …"', () => {
    expect(reportRange({}, today)).toEqual({ from: '2025-12-04', to: today, label: 'last 1y' });
    expect(reportRange({ since: '90d' }, today)).toEqual({ from: '2026-09-05', to: today, label: 'last 90d' });
    expect(reportRange({ since: '2026-06-01' }, today)).toEqual({
      from: '2026-06-01',
      to: today,
      label: 'since 2026-06-01',
    });
  });

  it('a period keeps its label and ends today at the latest', () => {
    expect(reportRange({ period: '2026-Q4' }, today)).toEqual({ from: '2026-10-01', to: today, label: '2026-Q4' });
  });
});
