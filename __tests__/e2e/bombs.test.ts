/**
 * Unpacking refuses what is not a snapshot before it fills the disk: zstd and gzip bombs made with the public `zstd`,
 * `gzip` and `age` CLIs, run through `etcd-snapshot decrypt` and `restore`, stop at the size the snapshot's first page
 * declares (or at the first page, when it is not bbolt) and leave nothing behind; data appended after the compressed
 * stream is refused; the manifest's recorded size bounds the output too.
 */
import { execFileSync, execSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { run } from '../../src/cli/index.js'
import { VerificationError } from '../../src/errors.js'
import { unpackBackup } from '../../src/pipeline/unpack.js'
import { ZstdFrameWalker } from '../../src/pipeline/zstd-frames.js'
import { startEtcd, stopAll } from '../harness/etcd.js'
import { seedKubernetes } from '../harness/seed.js'
import { saveSnapshot } from '../harness/snapshots.js'

let dir: string
let snapshot: string
let original: Buffer
let keyFile: string
let recipient: string
/** high-water mark × page size + the 32-byte trailer: what the first page declares. */
let declared: number

interface CliResult {
  code: number
  stdout: string
  stderr: string
}

async function cli(...args: string[]): Promise<CliResult> {
  let stdout = ''
  let stderr = ''
  const code = await run(args, {
    stdout: { write: (t: string) => (stdout += t) },
    stderr: { write: (t: string) => (stderr += t) }
  })
  return { code, stdout, stderr }
}

/** Runs `work` while watching the size of every new file in `folder`; returns its result and the largest size seen. */
async function watchingSizes<T>(folder: string, work: () => Promise<T>): Promise<{ result: T; largest: number }> {
  let largest = 0
  const before = readdirSync(folder)
  const look = (): void => {
    for (const name of readdirSync(folder, { recursive: true }) as string[]) {
      if (before.includes(name)) continue
      try {
        largest = Math.max(largest, statSync(join(folder, name)).size)
      } catch {
        // removed between readdir and stat
      }
    }
  }
  const timer = setInterval(look, 5)
  try {
    const result = await work()
    look()
    return { result, largest }
  } finally {
    clearInterval(timer)
  }
}

/** `count` copies of one zstd (or gzip) frame of `bytes` zeros: a valid stream that expands to count × bytes. */
function zeroFrames(tool: 'zstd' | 'gzip', bytes: number, count: number): Buffer {
  const frame = execSync(`head -c ${bytes} /dev/zero | ${tool} -c -${tool === 'zstd' ? 19 : 9}`, {
    maxBuffer: 64 << 20
  })
  return Buffer.concat(Array.from({ length: count }, () => frame))
}

function inFolder(name: string, data: Buffer): string {
  const folder = mkdtempSync(join(dir, 'f-'))
  writeFileSync(join(folder, name), data)
  return join(folder, name)
}

const encrypt = (data: Buffer): Buffer => execFileSync('age', ['-r', recipient], { input: data, maxBuffer: 64 << 20 })
const zstd = (data: Buffer): Buffer => execFileSync('zstd', ['-q', '-c'], { input: data, maxBuffer: 64 << 20 })
const gzip = (data: Buffer): Buffer => execFileSync('gzip', ['-c'], { input: data, maxBuffer: 64 << 20 })

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'bombs-test-'))
  const member = await startEtcd()
  await seedKubernetes(member, { objects: 100, seed: 31 })
  snapshot = join(dir, 'snapshot.db')
  await saveSnapshot(member, snapshot)
  await member.stop()
  original = readFileSync(snapshot)
  declared = original.readUInt32LE(16 + 40) * original.readUInt32LE(24) + 32
  expect(declared).toBe(original.length)
  keyFile = join(dir, 'key.txt')
  execFileSync('age-keygen', ['-o', keyFile], { stdio: 'ignore' })
  recipient = execFileSync('age-keygen', ['-y', keyFile], { encoding: 'utf8' }).trim()
})

afterAll(async () => {
  await stopAll()
  rmSync(dir, { recursive: true, force: true })
})

describe('decompression bombs', () => {
  it('a real snapshot followed by 2 GiB of zstd zeros, in age: decrypt stops at the declared size, in one line, nothing left', async () => {
    const bomb = encrypt(Buffer.concat([zstd(original), zeroFrames('zstd', 256 << 20, 8)]))
    expect(bomb.length).toBeLessThan(2 << 20)
    const input = inFolder('bomb.db.zst.age', bomb)
    const folder = join(input, '..')
    const { result: r, largest } = await watchingSizes(folder, () => cli('decrypt', input, '--identity', keyFile))
    expect(r.code).toBe(1)
    expect(r.stdout).toBe('')
    expect(r.stderr).toBe(
      `etcd-snapshot decrypt: bomb.db.zst.age: the unpacked snapshot grows past the ${declared} bytes its first page declares (high-water mark ${(declared - 32) / 4096} × page size 4096 + 32-byte trailer); stopped and removed (a decompression bomb or a damaged backup); use another backup\n`
    )
    expect(largest).toBeLessThanOrEqual(declared)
    expect(readdirSync(folder)).toEqual(['bomb.db.zst.age'])
  })

  it('2 GiB of gzip zeros, in age: decrypt refuses at the first page, which is not bbolt', async () => {
    const bomb = encrypt(zeroFrames('gzip', 256 << 20, 8))
    const input = inFolder('zeros.db.gz.age', bomb)
    const folder = join(input, '..')
    const started = Date.now()
    const { result: r, largest } = await watchingSizes(folder, () => cli('decrypt', input, '--identity', keyFile))
    expect(r.code).toBe(1)
    expect(r.stderr).toBe(
      'etcd-snapshot decrypt: zeros.db.gz.age does not hold an etcd snapshot: its first page is not bbolt (magic 0x00000000 at byte 16, expected 0xed0cdaed); use another backup\n'
    )
    expect(largest).toBeLessThanOrEqual(1 << 20)
    expect(Date.now() - started).toBeLessThan(10_000)
    expect(readdirSync(folder)).toEqual(['zeros.db.gz.age'])
  })

  it('a gzip bomb behind a real snapshot, through `restore`: refused before etcd is run, no data dir, no plaintext', async () => {
    const bomb = encrypt(Buffer.concat([gzip(original), zeroFrames('gzip', 256 << 20, 8)]))
    const input = inFolder('bomb.db.gz.age', bomb)
    const parent = mkdtempSync(join(dir, 'node-'))
    const dataDir = join(parent, 'etcd')
    const { result: r, largest } = await watchingSizes(parent, () =>
      cli(
        'restore',
        input,
        '--identity',
        keyFile,
        '--data-dir',
        dataDir,
        '--name',
        'a',
        '--initial-advertise-peer-urls',
        'http://127.0.0.1:2380'
      )
    )
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(
      new RegExp(`^etcd-snapshot restore: bomb\\.db\\.gz\\.age: the unpacked snapshot grows past the ${declared} bytes`)
    )
    expect(r.stderr.trimEnd()).not.toContain('\n')
    expect(largest).toBeLessThanOrEqual(declared)
    expect(readdirSync(parent)).toEqual([])
  })

  it.each([
    ['empty', Buffer.alloc(0), 'it is empty, before'],
    ['one page', () => original.subarray(0, 4096), 'it ends after 4096 bytes, before'],
    ['text', Buffer.from('not a snapshot\n'.repeat(100)), 'its first page is not bbolt (magic 0x'],
    [
      'a page size bbolt never writes',
      () => Buffer.concat([original.subarray(0, 24), Buffer.from([0x10, 0, 0, 0]), original.subarray(28)]),
      'its first page declares page size 16, which bbolt never writes'
    ]
  ])('a zstd stream whose content is %s is refused as no snapshot', async (_what, content, expected) => {
    const data = typeof content === 'function' ? content() : content
    const output = join(mkdtempSync(join(dir, 'f-')), 'out.db')
    const unpacking = unpackBackup({ input: inFolder('small.db.zst', zstd(data)), output })
    await expect(unpacking).rejects.toThrow(VerificationError)
    await expect(unpacking).rejects.toThrow(`small.db.zst does not hold an etcd snapshot: ${expected}`)
    expect(readdirSync(join(output, '..'))).toEqual([])
  })

  it('the bound is the larger high-water mark of the two valid meta pages', async () => {
    // Meta 1 says one page more than meta 0 (the current one); both checksums are valid, and bbolt may open either.
    const changed = Buffer.from(original)
    const pageSize = changed.readUInt32LE(24)
    changed.writeUInt32LE(changed.readUInt32LE(pageSize + 56) + 1, pageSize + 56)
    writeMetaChecksum(changed, pageSize)
    const grown = Buffer.concat([changed, Buffer.alloc(pageSize)])
    const output = join(mkdtempSync(join(dir, 'f-')), 'out.db')
    const result = await unpackBackup({ input: inFolder('hwm.db.zst', zstd(grown)), output })
    expect(result.outputSize).toBe(declared + pageSize)
    // One byte more is past both.
    const tooMuch = unpackBackup({
      input: inFolder('hwm.db.zst', zstd(Buffer.concat([grown, Buffer.alloc(1)]))),
      output: join(mkdtempSync(join(dir, 'f-')), 'out.db')
    })
    await expect(tooMuch).rejects.toThrow(`grows past the ${declared + pageSize} bytes its first page declares`)
  })

  it('the size the manifest records bounds the output when it is smaller than the declared one', async () => {
    const output = join(mkdtempSync(join(dir, 'f-')), 'out.db')
    const input = inFolder('recorded.db.zst', zstd(original))
    const unpacking = unpackBackup({ input, output, snapshotSize: original.length - 4096 })
    await expect(unpacking).rejects.toThrow(VerificationError)
    await expect(unpacking).rejects.toThrow(
      `recorded.db.zst: the unpacked snapshot grows past the ${original.length - 4096} bytes its manifest records; stopped and removed`
    )
    expect(readdirSync(join(output, '..'))).toEqual([])
    // The true size passes.
    const ok = await unpackBackup({ input, output, snapshotSize: original.length })
    expect(ok.outputSize).toBe(original.length)
  })
})

/** bbolt's meta checksum: FNV-1a 64 over the 56 meta bytes after the page header. */
function writeMetaChecksum(file: Buffer, pageStart: number): void {
  let h = 0xcbf29ce484222325n
  for (let i = 0; i < 56; i++) {
    h ^= BigInt(file[pageStart + 16 + i]!)
    h = (h * 0x100000001b3n) & 0xffffffffffffffffn
  }
  file.writeBigUInt64LE(h, pageStart + 16 + 56)
}

describe('data after the compressed stream', () => {
  it.each([
    ['zstd', 'garbage', () => Buffer.concat([zstd(original), Buffer.from('appended by someone')])],
    ['zstd', 'zero bytes', () => Buffer.concat([zstd(original), Buffer.alloc(64)])],
    ['zstd', 'half a frame magic', () => Buffer.concat([zstd(original), Buffer.from([0x28, 0xb5])])],
    ['gzip', 'zero bytes', () => Buffer.concat([gzip(original), Buffer.alloc(64)])],
    ['gzip', 'zero bytes then garbage', () => Buffer.concat([gzip(original), Buffer.alloc(8), Buffer.from('xyz')])]
  ])('%s followed by %s is refused in one line, inside age too', async (layer, _what, make) => {
    for (const encrypted of [false, true]) {
      const name = `tail.db.${layer === 'zstd' ? 'zst' : 'gz'}${encrypted ? '.age' : ''}`
      const input = inFolder(name, encrypted ? encrypt(make()) : make())
      const r = await cli('decrypt', input, ...(encrypted ? ['--identity', keyFile] : []))
      expect(r.code).toBe(1)
      expect(r.stderr).toMatch(
        new RegExp(
          `^etcd-snapshot decrypt: ${name.replace(/\./g, '\\.')}: .*(follow the (end|last)|follows the last zstd frame).*; the file was altered or other data was appended to it, use another backup\\n$`
        )
      )
      expect(readdirSync(join(input, '..'))).toEqual([name])
    }
  })

  it('concatenated zstd frames and gzip members are still one valid stream', async () => {
    const half = original.length >> 1
    for (const [name, data] of [
      ['two.db.zst', Buffer.concat([zstd(original.subarray(0, half)), zstd(original.subarray(half))])],
      ['two.db.gz', Buffer.concat([gzip(original.subarray(0, half)), gzip(original.subarray(half))])]
    ] as const) {
      const input = inFolder(name, data)
      const r = await cli('decrypt', input)
      expect(r.stderr).toBe('')
      expect(r.code).toBe(0)
      const out = readFileSync(join(input, '..', 'two.db'))
      expect(createHash('sha256').update(out).digest('hex')).toBe(createHash('sha256').update(original).digest('hex'))
    }
  })
})

describe('ZstdFrameWalker', () => {
  const frames = Buffer.concat([
    zstdOf(Buffer.alloc(300_000, 1), ['--no-check']),
    // A skippable frame (magic 0x184D2A5A, 5 bytes), then a frame with a checksum and one of raw blocks.
    Buffer.from([0x5a, 0x2a, 0x4d, 0x18, 5, 0, 0, 0, 1, 2, 3, 4, 5]),
    zstdOf(Buffer.from('hello world'.repeat(1000)), ['--check']),
    zstdOf(Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 7919) % 251)), ['-1'])
  ])

  function walk(data: Buffer, cut: number): string | undefined {
    const walker = new ZstdFrameWalker()
    walker.feed(data.subarray(0, cut))
    walker.feed(data.subarray(cut))
    return walker.incomplete()
  }

  it('follows frames, skippable frames and checksums wherever the stream is cut', () => {
    for (let cut = 0; cut <= frames.length; cut += 97) expect(walk(frames, cut)).toBeUndefined()
  })

  it('tells a stream cut inside a frame, and bytes after the last frame', () => {
    expect(walk(frames.subarray(0, frames.length - 1), 10)).toBe(
      'it ends in the middle of the compressed stream (truncated)'
    )
    expect(walk(Buffer.concat([frames, Buffer.from([0x28])]), 10)).toBe('1 stray bytes follow the last zstd frame')
    expect(() => walk(Buffer.concat([frames, Buffer.from('junk')]), 10)).toThrow(
      `data that is not zstd follows the last zstd frame (at byte ${frames.length})`
    )
  })
})

function zstdOf(data: Buffer, flags: string[]): Buffer {
  return execFileSync('zstd', ['-q', '-c', ...flags], { input: data })
}
