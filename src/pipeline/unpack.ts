/**
 * The reverse of the backup pipeline: age-decrypt and decompress a backup file into a plaintext snapshot in one
 * streaming pass with constant memory. Each layer is recognised from the bytes themselves, not from the file name,
 * so a renamed file or one made by hand with `age` and `zstd` unpacks the same way.
 */
import { constants, createReadStream, createWriteStream, promises as fs } from 'node:fs'
import * as path from 'node:path'
import { Duplex, Readable, type Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import * as zlib from 'node:zlib'
import { createDecryptStream, type AgeIdentity } from '../age/index.js'
import { AgeError, ConfigurationError, errorMessage, OutputError, VerificationError } from '../errors.js'
import type { Layer } from '../format/layers.js'
import { StreamDigest } from './digest.js'
import { partialPath } from './index.js'
import { SnapshotSizeGuard } from './snapshot-size.js'
import { ENDS_INSIDE_FRAME, ZstdFrameWalker } from './zstd-frames.js'

/** What a file starts with. */
export type Detected = Layer | 'etcd-snapshot' | 'unknown'

/**
 * The key for an age-encrypted file: X25519 identities, or the passphrase with the highest scrypt work factor to accept
 * (the age module's default when absent).
 */
export type UnpackKey = { identities: readonly AgeIdentity[] } | { passphrase: string; maxWorkFactor?: number }

export interface UnpackOptions {
  /** The backup file (or a bare snapshot, which is copied). */
  input: string
  /** The plaintext snapshot to create (0600); it must not exist. Written as `<output>.partial` first. */
  output: string
  /** Needed when the file is age-encrypted. */
  key?: UnpackKey
  /**
   * The snapshot's size as the backup's manifest records it (trailer included), when there is one: the output may
   * not grow past it. Without it, the bound is the size the snapshot's first page declares.
   */
  snapshotSize?: number
}

export interface UnpackResult {
  /** The layers removed, outermost first (e.g. ['age', 'zstd']); empty for a bare snapshot. */
  layers: Layer[]
  inputSize: number
  /** sha256 of the input file (compare with the manifest's file.sha256). */
  inputSha256: string
  outputSize: number
}

const AGE_PREFIX = Buffer.from('age-encryption.org/')
const AGE_ARMOR = Buffer.from('-----BEGIN AGE ENCRYPTED FILE-----')
const ZSTD_MAGIC = Buffer.from([0x28, 0xb5, 0x2f, 0xfd])
const GZIP_MAGIC = Buffer.from([0x1f, 0x8b])
/** bbolt's meta page: a 16-byte page header, then the magic 0xED0CDAED (little-endian on every etcd platform). */
const BOLT_MAGIC = Buffer.from([0xed, 0xda, 0x0c, 0xed])
const BOLT_MAGIC_OFFSET = 16
/** Enough bytes to tell every format apart. */
const SNIFF_BYTES = 64
const READ_CHUNK = 1 << 20

/** Names the format a file starts with. */
export function detectLayer(head: Buffer): Detected {
  if (startsWith(head, AGE_PREFIX) || startsWith(head, AGE_ARMOR)) return 'age'
  if (startsWith(head, ZSTD_MAGIC)) return 'zstd'
  if (startsWith(head, GZIP_MAGIC)) return 'gzip'
  if (
    head.length >= BOLT_MAGIC_OFFSET + 4 &&
    head.subarray(BOLT_MAGIC_OFFSET, BOLT_MAGIC_OFFSET + 4).equals(BOLT_MAGIC)
  ) {
    return 'etcd-snapshot'
  }
  return 'unknown'
}

function startsWith(head: Buffer, prefix: Buffer): boolean {
  return head.length >= prefix.length && head.subarray(0, prefix.length).equals(prefix)
}

/** The layers of a file, as far as they can be seen without a key: ['age'] for an encrypted one. */
export async function detectFileLayer(file: string): Promise<Detected> {
  const handle = await openInput(file)
  try {
    const head = Buffer.alloc(SNIFF_BYTES)
    const { bytesRead } = await handle.read(head, 0, SNIFF_BYTES, 0)
    return detectLayer(head.subarray(0, bytesRead))
  } finally {
    await handle.close()
  }
}

async function openInput(file: string): Promise<fs.FileHandle> {
  try {
    const handle = await fs.open(file, 'r')
    if (!(await handle.stat()).isFile()) {
      await handle.close()
      throw new ConfigurationError(`${file} is not a regular file; give the path of the downloaded backup file`)
    }
    return handle
  } catch (e: unknown) {
    if (e instanceof ConfigurationError) throw e
    const code = (e as NodeJS.ErrnoException).code
    const why =
      code === 'ENOENT'
        ? 'does not exist'
        : code === 'EACCES'
          ? 'is not readable (permission denied)'
          : `cannot be read (${errorMessage(e)})`
    throw new ConfigurationError(`${file} ${why}; give the path of the downloaded backup file`)
  }
}

/**
 * Decrypts and decompresses `input` into `output`. Nothing but a complete plaintext ever takes the output name:
 * a wrong key, a tampered or truncated file, corrupt compression, data appended after the compressed stream, output
 * that is not bbolt or grows past the size the snapshot declares (a decompression bomb), or a full disk remove the
 * partial file and throw one line (AgeError, VerificationError, OutputError).
 */
export async function unpackBackup(options: UnpackOptions): Promise<UnpackResult> {
  const outer = await detectFileLayer(options.input)
  const name = path.basename(options.input)
  const layers: Layer[] = []
  const inputDigest = new StreamDigest()
  const stages: Duplex[] = [inputDigest]

  if (outer === 'age') {
    if (!options.key) {
      throw new AgeError(
        `${name} is age-encrypted; give the age identity (AGE-SECRET-KEY-1...) or the passphrase it was encrypted with`
      )
    }
    layers.push('age')
    stages.push(createDecryptStream(options.key))
    stages.push(Duplex.from(decompressStage(name, 'decrypted data', layers)))
  } else if (outer === 'unknown') {
    throw new VerificationError(
      `${name} is not a backup file: it is neither age-encrypted, zstd, gzip nor an etcd snapshot`
    )
  } else {
    stages.push(Duplex.from(decompressStage(name, 'file', layers)))
  }
  const recorded = options.snapshotSize
  stages.push(new SnapshotSizeGuard(name, Number.isSafeInteger(recorded) && recorded! > 0 ? recorded : undefined))

  const output = options.output
  const partial = partialPath(output)
  let created = false
  const outputDigest = new StreamDigest()
  try {
    // O_EXCL + O_NOFOLLOW: never write through a planted symlink or over a file that is already there.
    const handle = await fs.open(
      partial,
      constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
      0o600
    )
    created = true
    const sink = createWriteStream('', { fd: handle, flush: true })
    await pipeline([createReadStream(options.input, { highWaterMark: READ_CHUNK }), ...stages, outputDigest, sink])
    // link() refuses to replace an existing file, unlike rename().
    await fs.link(partial, output)
    await fs.unlink(partial)
  } catch (e: unknown) {
    if (created) await fs.rm(partial, { force: true })
    throw describeFailure(e, name, output, created)
  }
  const inputFacts = inputDigest.result()
  return { layers, inputSize: inputFacts.size, inputSha256: inputFacts.sha256, outputSize: outputDigest.result().size }
}

/** The stage after decryption: looks at the first bytes and decompresses zstd or gzip, or passes a snapshot through. */
function decompressStage(name: string, what: string, layers: Layer[]) {
  return async function* (source: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
    const iterator = source[Symbol.asyncIterator]()
    const headChunks: Buffer[] = []
    let headLength = 0
    while (headLength < SNIFF_BYTES) {
      const next = await iterator.next()
      if (next.done) break
      headChunks.push(next.value)
      headLength += next.value.length
    }
    const head = Buffer.concat(headChunks)
    const rest = async function* (): AsyncGenerator<Buffer> {
      if (head.length) yield head
      for (;;) {
        const next = await iterator.next()
        if (next.done) return
        yield next.value
      }
    }
    const layer = detectLayer(head)
    if (layer === 'etcd-snapshot') {
      yield* rest()
      return
    }
    if (layer !== 'zstd' && layer !== 'gzip') {
      const shown =
        layer === 'age' ? 'another age file' : head.length === 0 ? 'empty' : 'neither zstd, gzip nor an etcd snapshot'
      throw new VerificationError(`${name}: the ${what} is ${shown}; this is not a backup made by etcd-snapshot-action`)
    }
    layers.push(layer)
    const decompressor = createDecompressor(layer)
    const zstdFrames = layer === 'zstd' ? new ZstdFrameWalker() : undefined
    let fed = 0
    const counted = async function* (): AsyncGenerator<Buffer> {
      for await (const chunk of rest()) {
        fed += chunk.length
        try {
          zstdFrames?.feed(chunk)
        } catch (e: unknown) {
          throw compressedStreamEnd(name, errorMessage(e))
        }
        yield chunk
      }
      const incomplete = zstdFrames?.incomplete()
      if (incomplete) throw compressedStreamEnd(name, incomplete)
    }
    const feeding = pipeline(Readable.from(counted()), decompressor)
    // If iteration stops first (an error downstream), the feeding pipeline's own error is not the one to report.
    feeding.catch(() => undefined)
    for await (const chunk of decompressor) yield chunk as Buffer
    await feeding
    // gzip stops at the end of its last member and ignores zero bytes after it (zstd ignores anything): what it did
    // not consume was appended.
    const unread = fed - decompressor.bytesWritten
    if (unread > 0) throw compressedStreamEnd(name, `${unread} bytes follow the end of the ${layer} stream`)
  }
}

/** One line for a compressed stream that does not end where it should: inside a frame, or with data after it. */
function compressedStreamEnd(name: string, why: string): VerificationError {
  const truncated = why === ENDS_INSIDE_FRAME
  return new VerificationError(
    `${name}: ${why}; ${truncated ? 'the backup was damaged before encryption or made incorrectly' : 'the file was altered or other data was appended to it'}, use another backup`
  )
}

function createDecompressor(layer: 'zstd' | 'gzip'): Transform & zlib.Zlib {
  const stream =
    layer === 'zstd'
      ? zlib.createZstdDecompress({ chunkSize: READ_CHUNK })
      : zlib.createGunzip({ chunkSize: READ_CHUNK })
  // zlib's own messages ("unexpected end of file") do not say which layer failed; tag its errors (codes Z_*,
  // ZSTD_*) for describeFailure, and leave errors from upstream (a failed decryption) as they are.
  return stream.on('error', (e: Error & { code?: string; layer?: string }) => {
    if (typeof e.code === 'string' && /^Z/.test(e.code)) e.layer = layer
  })
}

function describeFailure(e: unknown, name: string, output: string, created: boolean): Error {
  if (e instanceof AgeError) return new AgeError(`cannot decrypt ${name}: ${e.message}`)
  if (e instanceof VerificationError || e instanceof ConfigurationError) return e
  const err = e as NodeJS.ErrnoException & { layer?: string }
  if (err.layer) {
    const truncated = /unexpected end of file/i.test(err.message)
    const detail = truncated
      ? 'it ends in the middle of the compressed stream (truncated)'
      : `corrupt ${err.layer} data (${err.message})`
    return new VerificationError(
      `${name}: ${detail}; the backup was damaged before encryption or made incorrectly, use another backup`
    )
  }
  const dir = path.dirname(output)
  switch (err.code) {
    case 'ENOSPC':
    case 'EDQUOT':
      return new OutputError(
        `no space left in ${dir} for the plaintext snapshot; free space or write it elsewhere (the partial file was removed)`
      )
    case 'EEXIST':
      return new OutputError(
        `${created ? output : `${output}.partial`} already exists; remove it or choose another output path`
      )
    case 'ELOOP':
      return new OutputError(`${output}.partial is a symbolic link; refusing to write through it`)
    case 'EACCES':
    case 'EPERM':
      return new OutputError(`cannot write in ${dir} (permission denied); choose a writable directory`)
    case 'ENOENT':
      return new OutputError(`cannot write ${output}: directory ${dir} does not exist`)
    default:
      return new OutputError(`unpacking ${name} failed: ${errorMessage(e).split('\n')[0]}`)
  }
}
