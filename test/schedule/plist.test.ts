import { describe, expect, it } from 'vitest';
import { type PlistValue, parsePlist, writePlist } from '../../src/schedule/plist.js';

describe('plist', () => {
  it('writes what it reads back, escaping XML', () => {
    const value: PlistValue = {
      Label: 'local.okr.sync',
      ProgramArguments: ['/usr/bin/node', '/Users/a & b/<okr>/bin/okr.js'],
      EnvironmentVariables: { OKR_HOME: "/Users/o'neil/okr" },
      StartCalendarInterval: [{ Minute: 23 }, { Hour: 2, Minute: 5 }],
      RunAtLoad: false,
      KeepAlive: true,
      Nice: -1,
      Ratio: 0.5,
      Empty: [],
    };
    const xml = writePlist(value);
    expect(xml).toContain('<string>/Users/a &amp; b/&lt;okr&gt;/bin/okr.js</string>');
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE plist PUBLIC')).toBe(true);
    expect(parsePlist(xml)).toEqual(value);
  });

  it('reads what Apple tools write: comments, self-closing values, entities', () => {
    const xml = `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<!-- a comment -->
<plist version="1.0">
<dict>
\t<key>A</key><string>x &#38; y &#x41;</string>
\t<key>B</key><true/>
\t<key>C</key><array/>
\t<key>D</key><date>2026-03-10T14:23:00Z</date>
\t<key>E</key><string/>
</dict>
</plist>
`;
    expect(parsePlist(xml)).toEqual({ A: 'x & y A', B: true, C: [], D: new Date('2026-03-10T14:23:00Z'), E: '' });
  });

  it('refuses malformed files, saying why', () => {
    const wrap = (body: string) => `<?xml version="1.0"?><plist version="1.0">${body}</plist>`;
    const cases: Array<[string, RegExp]> = [
      [wrap('<dict><key>A</key></dict>'), /unexpected <\/dict>|expected a tag|malformed/],
      [wrap('<dict><key>A</key><string>x</string><key>A</key><string>y</string></dict>'), /duplicate key "A"/],
      [wrap('<dict><string>x</string></dict>'), /expected <key>/],
      [wrap('<dict><key>A</key><string>x</dict>'), /never closed|"<" inside text/],
      [wrap('<dict><key>A</key><integer>1.5</integer></dict>'), /not an integer/],
      [wrap('<dict><key>A</key><strng>x</strng></dict>'), /unknown element <strng>/],
      [wrap('<dict><key>A</key><string>a &nbsp; b</string></dict>'), /unknown entity/],
      [wrap('<dict><key>A</key><string>a & b</string></dict>'), /unterminated entity/],
      [wrap('<dict/><dict/>'), /exactly one value/],
      [`${wrap('<dict/>')}trailing`, /text after <\/plist>/],
      ['<dict/>', /root element must be <plist>/],
      [wrap('<array><true>x</true></array>'), /must be empty|expected a tag/],
    ];
    for (const [xml, why] of cases) expect(() => parsePlist(xml), xml).toThrow(why);
  });
});
