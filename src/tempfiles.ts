import { constants, promises as fs, rmSync } from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { errorMessage, OutputError } from './errors.js'

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
  const handle = await fs.open(
    file,
    constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
    0o600
  )
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

/**
 * The paths this run created, each recorded once it exists (made with O_EXCL, mkdtemp or a mkdir of the leaf), so
 * that a cleanup removes those and never a path that was there before. Removal goes newest first.
 */
export class CreatedPaths {
  private readonly paths: string[] = []

  add(created: string): void {
    this.paths.push(created)
  }

  /** A path handed over to the user (a finished file): no longer this run's to remove. */
  keep(kept: string): void {
    const i = this.paths.lastIndexOf(kept)
    if (i >= 0) this.paths.splice(i, 1)
  }

  list(): readonly string[] {
    return this.paths
  }

  /** For a signal handler, which cannot wait. */
  removeAllSync(): void {
    for (const p of this.paths.splice(0).reverse()) rmSync(p, { recursive: true, force: true })
  }

  async removeAll(): Promise<void> {
    for (const p of this.paths.splice(0).reverse()) await removePath(p)
  }
}

export interface CheckedFileOptions {
  /** How to fix a final path that is taken, for the message: "remove it or choose another output-dir". */
  whenTaken: string
  /** Hears of each path as soon as it is created: the staging dir, then the final file. */
  created?: (p: string) => void
}

/**
 * Creates `final` from a file that `make` writes and checks at the path it is given, in a new 0700 dir beside
 * `final` (the same file system). Only a file `make` returned for takes the final name, by link(), which never
 * replaces anything; whatever fails, the staging dir goes and a path that was there before is not touched.
 */
export async function createCheckedFile<T>(
  final: string,
  make: (staged: string) => Promise<T>,
  opts: CheckedFileOptions
): Promise<T> {
  const taken = (): OutputError => new OutputError(`${final} already exists; ${opts.whenTaken}`)
  // Refused before the work, which may take minutes; link() below is what guarantees it.
  if (await lstatOrUndefined(final)) throw taken()
  let staging: string
  try {
    staging = await makePrivateDir(path.dirname(final), `.${path.basename(final)}.partial-`)
  } catch (e: unknown) {
    throw new OutputError(`cannot write in ${path.dirname(final)}: ${errorMessage(e)}`)
  }
  opts.created?.(staging)
  try {
    const staged = path.join(staging, path.basename(final))
    const result = await make(staged)
    try {
      await fs.link(staged, final)
    } catch (e: unknown) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') throw taken()
      throw new OutputError(`cannot create ${final}: ${errorMessage(e)}`)
    }
    opts.created?.(final)
    return result
  } finally {
    await removePath(staging)
  }
}

async function lstatOrUndefined(p: string): Promise<unknown> {
  return fs.lstat(p).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') return undefined
    throw new OutputError(`cannot inspect ${p}: ${errorMessage(e)}`)
  })
}
