import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';

/**
 * Worker identity for run leases: host, pid and a random tag. A lease whose owner is a dead
 * process on this host is taken over at once instead of waiting for it to expire, so a worker
 * restarted after `kill -9` resumes its runs immediately.
 */
export function newOwnerId(): string {
  return `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
}

export function ownerIsDead(owner: string): boolean {
  const parts = owner.split(':');
  if (parts.length < 3) return false;
  const pid = Number(parts[parts.length - 2]);
  const host = parts.slice(0, -2).join(':');
  if (host !== hostname() || !Number.isInteger(pid) || pid <= 0) return false;
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
