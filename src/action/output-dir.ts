import { statSync } from 'node:fs'

/**
 * A warning when other users can write in `output-dir`. The backup still goes into a new 0700 folder as a 0600 file
 * created with O_EXCL|O_NOFOLLOW, so nobody else can read it or make us write through a link; but in a shared
 * directory another user can take the folder's name first (the job then fails), and without the sticky bit they can
 * also rename or delete the finished backup.
 */
export function sharedOutputDirWarning(dir: string): string | undefined {
  const mode = statSync(dir).mode
  if ((mode & 0o022) === 0) return undefined
  const octal = (mode & 0o7777).toString(8).padStart(4, '0')
  const sticky = (mode & 0o1000) !== 0
  const risk = sticky
    ? 'they can take the backup folder name first'
    : 'they can take the backup folder name first, and rename or delete the finished backup (no sticky bit)'
  return `output-dir ${dir} is writable by other users (mode ${octal}): ${risk}; the backup is still written as a 0600 file in a new 0700 folder, but prefer a directory only the runner's user can write`
}
