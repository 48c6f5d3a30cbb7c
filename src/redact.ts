/**
 * Masks the userinfo of every URL in a text (`http://user:pw@proxy:3128` →
 * `http://********@proxy:3128`): a proxy or endpoint setting can carry a password, and settings,
 * support bundles and error messages are printed. Works on text that is not a valid URL too (an
 * unvalidated environment variable), and masks the user name as well (tokens travel as one).
 * Everything up to the last @ before the host is masked, as URL parsers read it: masking too much
 * of an odd text is harmless, too little leaks. Apply it to strings, not to serialized JSON (an
 * escaped quote must not end the match early).
 */
const USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#]*@/gi;

export function redactUrls(text: string): string {
  return text.replace(USERINFO, '$1********@');
}
