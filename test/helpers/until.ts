/**
 * Waits, bounded, until `check` holds: for what happens asynchronously outside the code under
 * test (a server seeing a connection close, a file appearing). Throws, naming `what`, after
 * `tries` polls `everyMs` apart (default 2 s in all).
 */
export async function until(
  check: () => boolean | Promise<boolean>,
  what: string,
  { tries = 200, everyMs = 10 } = {},
): Promise<void> {
  for (let i = 0; i < tries; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, everyMs));
  }
  if (!(await check())) throw new Error(`timed out waiting until ${what}`);
}
