/**
 * Whether `okr connect` can open a browser the user will see. Over SSH a browser would open on
 * the remote machine's screen (or nowhere), and a Linux machine without DISPLAY or
 * WAYLAND_DISPLAY has no screen at all: `open` then "succeeds" and the user waits ten minutes for
 * a page nobody sees. gh and rclone ask for the redirected URL in that case, and so does okr.
 */
export function whyNoBrowser(env: Record<string, string | undefined>, platform: NodeJS.Platform): string | undefined {
  // $BROWSER names the command that opens a URL (xdg-open and gh honour it): the user has said
  // how a browser opens here, a text-mode one over SSH or a script, so okr uses it.
  if (env.BROWSER?.trim()) return undefined;
  const ssh = env.SSH_CONNECTION ? 'SSH_CONNECTION' : env.SSH_TTY ? 'SSH_TTY' : undefined;
  const unixDesktop = platform !== 'darwin' && platform !== 'win32';
  const display = Boolean(env.DISPLAY || env.WAYLAND_DISPLAY);
  // `ssh -X` forwards a display: a Linux browser then opens on the user's own screen.
  if (ssh && !(unixDesktop && display)) return `this is an SSH session (${ssh} is set)`;
  if (unixDesktop && !display) return 'there is no display (DISPLAY and WAYLAND_DISPLAY are not set)';
  return undefined;
}
