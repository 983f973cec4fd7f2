import { constants, createWriteStream, promises as fs } from 'node:fs'
import * as path from 'node:path'
import type { Readable, Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { createEncryptStream } from '../age/index.js'
import { errorMessage, EtcdError, OutputError } from '../errors.js'
import type { Compression, Encryption } from '../format/layers.js'
import { createCompressor } from './compress.js'
import { SnapshotDigest, StreamDigest } from './digest.js'
import { PlaintextCopy } from './plaintext.js'

export interface BackupFileOptions {
  /** The plaintext snapshot, read once: etcd's snapshot stream, or a file. */
  source: Readable
  /**
   * Also keep the plaintext in this new file (in the private dir), for the checks that need random access; removed
   * again if the pipeline fails.
   */
  plaintextCopy?: string
  /** The file to create; it must not exist. Written as `<output>.partial` and linked into place when complete. */
  output: string
  compression: Compression
  compressionLevel: number
  encryption: Encryption
}

export interface BackupFileResult {
  snapshotSize: number
  /** sha256 of the snapshot without its trailer, and the trailer itself: equal when etcd's checksum holds. */
  snapshotDataSha256: string
  snapshotTrailerSha256: string
  fileSize: number
  fileSha256: string
}

/**
 * What the file's write stream takes in while a write is in flight (node's default is 64 KiB). With room for several
 * age chunks, the stages go on working during a write, and what they made meanwhile goes out in one writev (about
 * 1 MiB) rather than a write per chunk and per tag: for 500 MiB of age chunks, 500 writevs instead of 16,000 writes.
 */
const WRITE_BUFFER = 1 << 20

/** The partial file a pipeline writes before its output is complete; the post step removes it if it survives. */
export function partialPath(output: string): string {
  return `${output}.partial`
}

/**
 * One streaming pass over the snapshot: keep the plaintext copy, hash (for the trailer check), compress, encrypt,
 * hash again (the file's sha256) and write. Memory stays constant whatever the size. A half-written file never takes the final name.
 */
export async function writeBackupFile(options: BackupFileOptions): Promise<BackupFileResult> {
  const partial = partialPath(options.output)
  const snapshotDigest = new SnapshotDigest()
  const fileDigest = new StreamDigest()
  const stages: Transform[] = [snapshotDigest]
  const compressor = createCompressor(options.compression, options.compressionLevel)
  if (compressor) stages.push(compressor)
  if (options.encryption.kind === 'age-recipients') {
    stages.push(createEncryptStream({ recipients: options.encryption.recipients }))
  } else if (options.encryption.kind === 'age-passphrase') {
    stages.push(createEncryptStream({ passphrase: options.encryption.passphrase }))
  }
  stages.push(fileDigest)

  let created = false
  let plaintext: PlaintextCopy | undefined
  try {
    if (options.plaintextCopy) plaintext = await PlaintextCopy.create(options.plaintextCopy)
    // O_EXCL + O_NOFOLLOW: never write through a planted symlink or into a file that is already there.
    const handle = await fs.open(
      partial,
      constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
      0o600
    )
    created = true
    const sink = createWriteStream('', { fd: handle, flush: true, highWaterMark: WRITE_BUFFER })
    await pipeline([options.source, ...(plaintext ? [plaintext] : []), ...stages, sink])
    // link() refuses to replace an existing file, unlike rename().
    await fs.link(partial, options.output)
    await fs.unlink(partial)
  } catch (e: unknown) {
    const code = (e as NodeJS.ErrnoException).code
    // A source that was never read (the output could not be created) must not stay open: it may be etcd's stream.
    options.source.destroy()
    plaintext?.destroy()
    if (created) await fs.rm(partial, { force: true })
    if (plaintext && options.plaintextCopy) await fs.rm(options.plaintextCopy, { force: true })
    // The source's and the plaintext copy's errors already say what failed (etcd went away, RUNNER_TEMP is full).
    if (e instanceof EtcdError || e instanceof OutputError) throw e
    throw new OutputError(describeWriteFailure(code, options.output, e))
  }
  const snap = snapshotDigest.result()
  const file = fileDigest.result()
  return {
    snapshotSize: snap.size,
    snapshotDataSha256: snap.dataSha256,
    snapshotTrailerSha256: snap.trailerSha256,
    fileSize: file.size,
    fileSha256: file.sha256
  }
}

function describeWriteFailure(code: string | undefined, output: string, e: unknown): string {
  const dir = path.dirname(output)
  switch (code) {
    case 'ENOSPC':
    case 'EDQUOT':
      return `no space left in ${dir} while writing the backup; free space or point output-dir elsewhere (the partial file was removed)`
    case 'EEXIST':
      return `${output} (or its .partial) already exists; use a new artifact-name or remove the old file`
    case 'ELOOP':
      // O_EXCL already refuses a link at .partial (EEXIST), so this is the snapshot file being read: the source.
      return `a symbolic link was found where the snapshot file should be (${errorMessage(e)}); refusing to follow it`
    case 'EACCES':
    case 'EPERM':
      return `cannot write in ${dir} (permission denied); choose a writable output-dir`
    default:
      return `writing ${output} failed: ${errorMessage(e)}`
  }
}
