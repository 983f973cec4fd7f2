/**
 * Extracts a downloaded artifact's zip with every entry held to its size. The artifact client's own extraction
 * writes whatever an entry inflates to, so a zip bomb fills the disk, and the client then retries the download
 * five times and reports a transient failure. Here the central directory is read first, an entry that declares more
 * than it could honestly hold is refused before anything is written, and one that inflates past its declared size
 * is stopped there. The backup action stores its files uncompressed (they are compressed and encrypted already).
 */
import { constants, createReadStream, createWriteStream, promises as fs } from 'node:fs'
import * as path from 'node:path'
import { Readable, Transform, type TransformCallback } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import * as zlib from 'node:zlib'

/**
 * What one entry may expand to: at most this many times its compressed size, plus MAX_EXPANSION_SLACK. Stored and
 * encrypted entries do not grow at all; the factor leaves room for manifest.json and an artifact zipped with deflate.
 */
const MAX_EXPANSION_RATIO = 16
const MAX_EXPANSION_SLACK = 1 << 20

const EOCD_SIGNATURE = 0x06054b50
const ZIP64_LOCATOR_SIGNATURE = 0x07064b50
const ZIP64_EOCD_SIGNATURE = 0x06064b50
const CENTRAL_SIGNATURE = 0x02014b50
const LOCAL_SIGNATURE = 0x04034b50
const EOCD_SIZE = 22
const MAX_COMMENT = 0xffff

/** The zip is not one we can extract safely: malformed, or an entry would expand beyond what it may. */
export class ZipRefusal extends Error {
  override name = 'ZipRefusal'
}

interface Entry {
  name: string
  method: number
  flags: number
  crc: number
  compressedSize: number
  size: number
  localOffset: number
}

/** Extracts `zipFile` into `directory` (which must exist); returns the files written. Removes them on failure. */
export async function extractZip(zipFile: string, directory: string): Promise<string[]> {
  const handle = await fs.open(zipFile, 'r')
  const written: string[] = []
  try {
    const { size: zipSize } = await handle.stat()
    const entries = await readCentralDirectory(handle, zipSize)
    // Everything that can be judged from the central directory is, before anything is written.
    const targets = entries.map(entry => {
      checkDeclaredSize(entry)
      return safeTarget(directory, entry.name)
    })
    for (const [i, entry] of entries.entries()) {
      const target = targets[i]!
      if (entry.name.endsWith('/')) {
        await fs.mkdir(target, { recursive: true })
        continue
      }
      await fs.mkdir(path.dirname(target), { recursive: true })
      const dataStart = await localDataStart(handle, entry, zipSize)
      written.push(target)
      await extractEntry(zipFile, dataStart, entry, target)
    }
    return written
  } catch (e: unknown) {
    await Promise.all(written.map(f => fs.rm(f, { force: true })))
    throw e
  } finally {
    await handle.close()
  }
}

async function readAt(handle: fs.FileHandle, position: number, length: number): Promise<Buffer> {
  const buf = Buffer.alloc(length)
  const { bytesRead } = await handle.read(buf, 0, length, position)
  if (bytesRead !== length) throw new ZipRefusal(`the zip ends at byte ${position + bytesRead}, inside a record`)
  return buf
}

async function readCentralDirectory(handle: fs.FileHandle, zipSize: number): Promise<Entry[]> {
  const tailLength = Math.min(zipSize, EOCD_SIZE + MAX_COMMENT)
  const tail = await readAt(handle, zipSize - tailLength, tailLength)
  let at = -1
  for (let i = tail.length - EOCD_SIZE; i >= 0; i--) {
    if (tail.readUInt32LE(i) === EOCD_SIGNATURE) {
      at = i
      break
    }
  }
  if (at < 0) throw new ZipRefusal('it has no end of central directory record (not a zip)')
  let count = tail.readUInt16LE(at + 10)
  let cdSize = tail.readUInt32LE(at + 12)
  let cdOffset = tail.readUInt32LE(at + 16)
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    const eocdPosition = zipSize - tailLength + at
    if (eocdPosition < 20) throw new ZipRefusal('its zip64 locator is missing')
    const locator = await readAt(handle, eocdPosition - 20, 20)
    if (locator.readUInt32LE(0) !== ZIP64_LOCATOR_SIGNATURE) throw new ZipRefusal('its zip64 locator is missing')
    const record = await readAt(handle, safeNumber(locator.readBigUInt64LE(8)), 56)
    if (record.readUInt32LE(0) !== ZIP64_EOCD_SIGNATURE) throw new ZipRefusal('its zip64 end record is missing')
    count = safeNumber(record.readBigUInt64LE(32))
    cdSize = safeNumber(record.readBigUInt64LE(40))
    cdOffset = safeNumber(record.readBigUInt64LE(48))
  }
  if (cdOffset + cdSize > zipSize) throw new ZipRefusal('its central directory lies beyond the end of the file')
  // Each central directory record is at least 46 bytes: the count cannot make us loop past the directory.
  if (count * 46 > cdSize) throw new ZipRefusal(`its central directory is too small for ${count} entries`)
  const cd = await readAt(handle, cdOffset, cdSize)
  const entries: Entry[] = []
  let p = 0
  for (let i = 0; i < count; i++) {
    if (p + 46 > cd.length || cd.readUInt32LE(p) !== CENTRAL_SIGNATURE) {
      throw new ZipRefusal(`its central directory is malformed at entry ${i + 1}`)
    }
    const nameLength = cd.readUInt16LE(p + 28)
    const extraLength = cd.readUInt16LE(p + 30)
    const commentLength = cd.readUInt16LE(p + 32)
    const end = p + 46 + nameLength + extraLength + commentLength
    if (end > cd.length) throw new ZipRefusal(`its central directory is malformed at entry ${i + 1}`)
    const entry: Entry = {
      name: cd.toString('utf8', p + 46, p + 46 + nameLength),
      flags: cd.readUInt16LE(p + 8),
      method: cd.readUInt16LE(p + 10),
      crc: cd.readUInt32LE(p + 16),
      compressedSize: cd.readUInt32LE(p + 20),
      size: cd.readUInt32LE(p + 24),
      localOffset: cd.readUInt32LE(p + 42)
    }
    readZip64Extra(entry, cd.subarray(p + 46 + nameLength, p + 46 + nameLength + extraLength))
    entries.push(entry)
    p = end
  }
  return entries
}

/** The zip64 extra field holds, in this order, only the values whose 32-bit slot is saturated. */
function readZip64Extra(entry: Entry, extra: Buffer): void {
  for (let e = 0; e + 4 <= extra.length;) {
    const id = extra.readUInt16LE(e)
    const length = extra.readUInt16LE(e + 2)
    if (id === 0x0001) {
      let q = e + 4
      const next = (): number => {
        if (q + 8 > e + 4 + length || q + 8 > extra.length) throw new ZipRefusal(`${entry.name}: malformed zip64 field`)
        const value = safeNumber(extra.readBigUInt64LE(q))
        q += 8
        return value
      }
      if (entry.size === 0xffffffff) entry.size = next()
      if (entry.compressedSize === 0xffffffff) entry.compressedSize = next()
      if (entry.localOffset === 0xffffffff) entry.localOffset = next()
    }
    e += 4 + length
  }
}

function safeNumber(value: bigint): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new ZipRefusal('a size or offset is beyond 2^53')
  return Number(value)
}

/** The bound on what an entry may expand to, whatever it declares. */
function expansionLimit(compressedSize: number): number {
  return compressedSize * MAX_EXPANSION_RATIO + MAX_EXPANSION_SLACK
}

function checkDeclaredSize(entry: Entry): void {
  if (entry.flags & 0x0001) throw new ZipRefusal(`${entry.name} is encrypted inside the zip`)
  if (entry.method !== 0 && entry.method !== 8) {
    throw new ZipRefusal(`${entry.name} uses zip compression method ${entry.method}; only stored and deflate are read`)
  }
  if (entry.method === 0 && entry.size !== entry.compressedSize) {
    throw new ZipRefusal(
      `${entry.name} is stored uncompressed but declares ${entry.size} bytes in ${entry.compressedSize}`
    )
  }
  const limit = expansionLimit(entry.compressedSize)
  if (entry.size > limit) {
    throw new ZipRefusal(
      `${entry.name} would expand to the ${entry.size} bytes it declares from ${entry.compressedSize} compressed, beyond the ${limit} bytes an entry may expand to`
    )
  }
}

/** Where an entry goes: inside `directory`, never through an absolute path or `..`. */
function safeTarget(directory: string, name: string): string {
  const parts = name.split('/')
  if (
    name === '' ||
    name.startsWith('/') ||
    name.includes('\\') ||
    name.includes('\0') ||
    parts.some(part => part === '..' || part === '.')
  ) {
    throw new ZipRefusal(
      `an entry is named ${JSON.stringify(name.slice(0, 200))}, which would land outside the download directory`
    )
  }
  return path.join(directory, ...parts.filter(part => part !== ''))
}

async function localDataStart(handle: fs.FileHandle, entry: Entry, zipSize: number): Promise<number> {
  const header = await readAt(handle, entry.localOffset, 30)
  if (header.readUInt32LE(0) !== LOCAL_SIGNATURE) throw new ZipRefusal(`${entry.name}: its local header is missing`)
  const start = entry.localOffset + 30 + header.readUInt16LE(26) + header.readUInt16LE(28)
  if (start + entry.compressedSize > zipSize)
    throw new ZipRefusal(`${entry.name}: its data runs past the end of the zip`)
  return start
}

async function extractEntry(zipFile: string, dataStart: number, entry: Entry, target: string): Promise<void> {
  const handle = await fs.open(
    target,
    constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
    0o600
  )
  // createReadStream with end < start (an empty entry) would read to the end of the file.
  const source =
    entry.compressedSize === 0
      ? Readable.from([])
      : createReadStream(zipFile, {
          start: dataStart,
          end: dataStart + entry.compressedSize - 1,
          highWaterMark: 1 << 20
        })
  const stages: NodeJS.ReadWriteStream[] = []
  if (entry.method === 8) stages.push(zlib.createInflateRaw({ chunkSize: 1 << 20 }))
  await pipeline([source, ...stages, new EntryCheck(entry), createWriteStream('', { fd: handle })])
}

/** Counts what an entry inflates to, stops it at its declared size, and checks its CRC-32 at the end. */
class EntryCheck extends Transform {
  private total = 0
  private crc = 0

  constructor(private readonly entry: Entry) {
    super({ highWaterMark: 1 << 20 })
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.total += chunk.length
    if (this.total > this.entry.size) {
      callback(new ZipRefusal(`${this.entry.name} expands beyond the ${this.entry.size} bytes it declares`))
      return
    }
    this.crc = zlib.crc32(chunk, this.crc)
    callback(null, chunk)
  }

  override _flush(callback: TransformCallback): void {
    if (this.total !== this.entry.size) {
      callback(new ZipRefusal(`${this.entry.name} holds ${this.total} bytes but declares ${this.entry.size}`))
    } else if (this.crc >>> 0 !== this.entry.crc) {
      callback(new ZipRefusal(`${this.entry.name} fails its CRC-32 check`))
    } else {
      callback()
    }
  }
}
