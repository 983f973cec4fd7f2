/**
 * Extracting a downloaded artifact's zip with every entry held to its size and kept inside the download directory.
 * The zips here are built by hand, so each can declare what the test needs, honest or not.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as zlib from 'node:zlib'
import { afterAll, describe, expect, it } from '@jest/globals'
import { extractZip, ZipRefusal } from '../../../src/action/artifact-zip.js'

const dir = mkdtempSync(join(tmpdir(), 'artifact-zip-test-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

interface ZipEntry {
  name: string
  data: Buffer
  deflate?: boolean
  /** What the headers declare, when it should differ from the truth. */
  size?: number
  crc?: number
}

/** A zip of these entries: local headers and data, the central directory, the end record. */
function zip(entries: ZipEntry[]): Buffer {
  const locals: Buffer[] = []
  const centrals: Buffer[] = []
  let offset = 0
  for (const e of entries) {
    const name = Buffer.from(e.name)
    const packed = e.deflate ? zlib.deflateRawSync(e.data) : e.data
    const crc = e.crc ?? zlib.crc32(e.data)
    const size = e.size ?? e.data.length
    const local = Buffer.alloc(30)
    local.writeUInt32LE(0x04034b50, 0)
    local.writeUInt16LE(e.deflate ? 8 : 0, 8)
    local.writeUInt32LE(crc, 14)
    local.writeUInt32LE(packed.length, 18)
    local.writeUInt32LE(size, 22)
    local.writeUInt16LE(name.length, 26)
    const central = Buffer.alloc(46)
    central.writeUInt32LE(0x02014b50, 0)
    central.writeUInt16LE(e.deflate ? 8 : 0, 10)
    central.writeUInt32LE(crc, 16)
    central.writeUInt32LE(packed.length, 20)
    central.writeUInt32LE(size, 24)
    central.writeUInt16LE(name.length, 28)
    central.writeUInt32LE(offset, 42)
    locals.push(local, name, packed)
    centrals.push(central, name)
    offset += 30 + name.length + packed.length
  }
  const cd = Buffer.concat(centrals)
  const end = Buffer.alloc(22)
  end.writeUInt32LE(0x06054b50, 0)
  end.writeUInt16LE(entries.length, 8)
  end.writeUInt16LE(entries.length, 10)
  end.writeUInt32LE(cd.length, 12)
  end.writeUInt32LE(offset, 16)
  return Buffer.concat([...locals, cd, end])
}

let n = 0
/** Writes the zip and extracts it into a new directory. */
async function extract(bytes: Buffer): Promise<{ files: string[]; out: string }> {
  const file = join(dir, `artifact-${++n}.zip`)
  const out = join(dir, `out-${n}`)
  writeFileSync(file, bytes)
  mkdirSync(out)
  try {
    return { files: await extractZip(file, out), out }
  } catch (e: unknown) {
    // Whatever failed, nothing the extraction wrote may stay behind.
    expect(readdirSync(out, { recursive: true }).filter(f => statSync(join(out, String(f))).isFile())).toEqual([])
    throw e
  }
}

describe('extractZip', () => {
  it('extracts stored and deflated entries, folders included, as 0600 files', async () => {
    const backup = Buffer.alloc(100_000, 'x')
    const manifest = Buffer.from('{"revision": 42}')
    const { files, out } = await extract(
      zip([
        { name: 'nightly/', data: Buffer.alloc(0) },
        { name: 'nightly/etcd-snapshot.db.zst.age', data: backup },
        { name: 'nightly/manifest.json', data: manifest, deflate: true }
      ])
    )
    expect(files).toEqual([join(out, 'nightly/etcd-snapshot.db.zst.age'), join(out, 'nightly/manifest.json')])
    expect(readFileSync(files[0]!).equals(backup)).toBe(true)
    expect(readFileSync(files[1]!).equals(manifest)).toBe(true)
    expect(statSync(files[0]!).mode & 0o777).toBe(0o600)
  })

  it('refuses an entry that declares more than its compressed bytes could honestly hold, before writing anything', async () => {
    const attempt = extract(
      zip([
        { name: 'a.txt', data: Buffer.from('ok') },
        { name: 'bomb', data: Buffer.alloc(1000), deflate: true, size: 1 << 30 }
      ])
    )
    await expect(attempt).rejects.toThrow(ZipRefusal)
    await expect(
      extract(zip([{ name: 'bomb', data: Buffer.alloc(1000), deflate: true, size: 1 << 30 }]))
    ).rejects.toThrow(
      /^bomb would expand to the 1073741824 bytes it declares from \d+ compressed, beyond the \d+ bytes an entry may expand to$/
    )
  })

  it('stops an entry that inflates past its declared size, and removes what it wrote', async () => {
    await expect(
      extract(
        zip([
          { name: 'first', data: Buffer.from('fine') },
          { name: 'liar', data: Buffer.alloc(5000), deflate: true, size: 100 }
        ])
      )
    ).rejects.toThrow('liar expands beyond the 100 bytes it declares')
  })

  it('refuses a stored entry whose sizes disagree, and one that fails its CRC', async () => {
    await expect(extract(zip([{ name: 's', data: Buffer.from('abc'), size: 4 }]))).rejects.toThrow(
      's is stored uncompressed but declares 4 bytes in 3'
    )
    await expect(extract(zip([{ name: 'c', data: Buffer.from('abc'), crc: 1 }]))).rejects.toThrow(
      'c fails its CRC-32 check'
    )
  })

  it('refuses names that would land outside the directory', async () => {
    for (const name of ['../escape', '/etc/passwd', 'a/../../b', 'a\\b', './x']) {
      await expect(extract(zip([{ name, data: Buffer.from('x') }]))).rejects.toThrow(
        `an entry is named ${JSON.stringify(name)}, which would land outside the download directory`
      )
    }
    expect(existsSync(join(dir, 'escape'))).toBe(false)
  })

  it('refuses what is not a zip', async () => {
    await expect(extract(Buffer.from('definitely not a zip file'))).rejects.toThrow(
      'it has no end of central directory record (not a zip)'
    )
  })
})
