import { constants, promises as fs } from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'

/**
 * The private working directory: 0700, made with mkdtemp so nobody else can plant a file or a symlink in it.
 * The plaintext snapshot and credential files live only here, and the post step removes it whatever happened.
 */
export async function makePrivateDir(parent: string = os.tmpdir(), prefix = 'etcd-snapshot-'): Promise<string> {
  const dir = await fs.mkdtemp(path.join(parent, prefix))
  await fs.chmod(dir, 0o700)
  return dir
}

/**
 * Writes a new 0600 file. O_EXCL refuses an existing file and O_NOFOLLOW a planted symlink, so a secret is never
 * written through a link or into someone else's file.
 */
export async function writePrivateFile(file: string, data: string | Buffer): Promise<void> {
  const handle = await fs.open(file, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600)
  try {
    await handle.writeFile(data)
  } finally {
    await handle.close()
  }
}

/** Removes a file or directory tree; a path that is already gone is not an error. */
export async function removePath(target: string): Promise<void> {
  await fs.rm(target, { recursive: true, force: true })
}
