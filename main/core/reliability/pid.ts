/**
 * Whether a process of this machine is still running (signal 0 checks without
 * sending anything). EPERM: it exists but belongs to another user.
 */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
