/**
 * Files made to hurt the verifier, or that are not etcd snapshots at all: it must refuse each at once, in a first
 * line that says what the file is, within bounded memory, and without printing anything a terminal would obey.
 * Memory is measured on the real CLI in a child process (peak RSS from /usr/bin/time -v).
 */
import { execFile, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from '@jest/globals'
import { run, type CliIO } from '../../../src/cli/index.js'
import { verifySnapshot } from '../../../src/verify/index.js'
import {
  boltBytes,
  bucketHeader,
  buildBolt,
  inlineBucket,
  keyValue,
  revisionKey,
  writeSparse,
  type LeafSpec,
  type PageSpec
} from '../../harness/bolt-builder.js'
import { withTrailer } from '../../harness/bolt-layout.js'
import { expectedToolStatus, toolStatus } from '../../harness/snapshots.js'

const dir = mkdtempSync(join(tmpdir(), 'snapshot-hostile-'))
const repo = fileURLToPath(new URL('../../..', import.meta.url))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const MIB = 1024 * 1024
/** etcd's required buckets around a key bucket whose root is page 3. */
const ROOT_WITH_KEY_AT_3: LeafSpec[] = [
  { key: Buffer.from('key'), value: bucketHeader(3), bucket: true },
  { key: Buffer.from('meta'), value: inlineBucket([]), bucket: true }
]

/** A tiny, valid etcd database with one key (inline buckets) at the given page size, with its sha256 trailer. */
function tinySnapshot(pageSize: number, keyName = '/a'): Buffer {
  const image = buildBolt({
    pageSize,
    root: 2,
    pages: [
      {
        id: 2,
        leaf: [
          {
            key: Buffer.from('key'),
            value: inlineBucket([{ key: revisionKey(2), value: keyValue(keyName, 2, Buffer.from('b')) }]),
            bucket: true
          },
          { key: Buffer.from('meta'), value: inlineBucket([]), bucket: true }
        ]
      }
    ]
  })
  return withTrailer(boltBytes(image))
}

function file(name: string, bytes: Buffer): string {
  const path = join(dir, name)
  writeFileSync(path, bytes)
  return path
}

async function cli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = ''
  let stderr = ''
  const io: CliIO = { stdout: { write: (t: string) => (stdout += t) }, stderr: { write: (t: string) => (stderr += t) } }
  const code = await run(argv, io)
  return { code, stdout, stderr }
}

/** The real CLI in a child process (so a hang cannot hang the tests), killed after `timeoutMs`. */
function cliProcess(
  args: string[],
  timeoutMs: number
): Promise<{ code: number | null; stdout: string; stderr: string; ms: number }> {
  const started = Date.now()
  return new Promise(resolve => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'src/bin/cli.ts', ...args],
      { cwd: repo, timeout: timeoutMs, killSignal: 'SIGKILL' },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : null) : 0
        resolve({ code, stdout, stderr, ms: Date.now() - started })
      }
    )
  })
}

/** The CLI's `verify` under /usr/bin/time -v: its exit code, first line and peak resident memory in MB. */
function verifyPeakMemory(path: string): { code: number | null; headline: string; peakMb: number } {
  const r = spawnSync('/usr/bin/time', ['-v', process.execPath, '--import', 'tsx', 'src/bin/cli.ts', 'verify', path], {
    cwd: repo,
    encoding: 'utf8',
    timeout: 120_000
  })
  const kb = /Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr)
  if (!kb) throw new Error(`no peak memory in /usr/bin/time output: ${r.stderr}`)
  return { code: r.status, headline: r.stdout.split('\n')[0]!, peakMb: Number(kb[1]) / 1024 }
}

/** A sparse file holding a key bucket whose pages are `pages` (page 2 is the root bucket's leaf). */
function hostileFile(name: string, pageSize: number, pages: PageSpec[]): string {
  const path = join(dir, name)
  writeSparse(path, buildBolt({ pageSize, root: 2, pages: [{ id: 2, leaf: ROOT_WITH_KEY_AT_3 }, ...pages] }), true)
  return path
}

/** A leaf holding one key whose value is `size` bytes of zeros. */
function bigLeaf(id: number, size: number): PageSpec {
  return { id, leaf: [{ key: revisionKey(2), valueSize: size }] }
}

/** A branch page of `count` elements with keys of `keySize` bytes (increasing), the first pointing at `child`. */
function bigBranch(id: number, count: number, keySize: number, child: number): PageSpec {
  const first = Buffer.concat([revisionKey(2), Buffer.alloc(keySize - 17)])
  return {
    id,
    branch: Array.from({ length: count }, (_, i) => ({
      key: i === 0 ? first : Buffer.from([0xff, i >> 8, i & 0xff]),
      keySize,
      child: child + i
    }))
  }
}

describe('files that are not etcd snapshots are named in the first line', () => {
  it('a FIFO is refused at once, never waited on', async () => {
    const fifo = join(dir, 'fifo')
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0)
    const r = await cliProcess(['verify', fifo], 30_000)
    expect({ code: r.code, stderr: r.stderr }).toEqual({
      code: 2,
      stderr: expect.stringMatching(/is not a regular file/)
    })
  }, 40_000)

  it('a 64 GiB sparse file of zeros is refused from its first page, without hashing it', async () => {
    const sparse = join(dir, 'sparse')
    expect(spawnSync('truncate', ['-s', '64G', sparse]).status).toBe(0)
    const started = Date.now()
    const r = await verifySnapshot(sparse)
    expect(Date.now() - started).toBeLessThan(10_000)
    expect(r.valid).toBe(false)
    expect(r.errors[0]).toMatch(/^not a bbolt database, so not an etcd snapshot/)
    rmSync(sparse)
  }, 60_000)

  it('text is "not a bbolt database"; a bbolt file with other buckets is "not etcd\'s", first', async () => {
    const text = await verifySnapshot(file('text', Buffer.from('hello\n'.repeat(1000))))
    expect(text.errors[0]).toMatch(/^not a bbolt database/)
    const foreign = boltBytes(
      buildBolt({
        pageSize: 4096,
        root: 2,
        pages: [{ id: 2, leaf: [{ key: Buffer.from('Task'), value: inlineBucket([]), bucket: true }] }]
      })
    )
    for (const bytes of [foreign, withTrailer(foreign)]) {
      const r = await verifySnapshot(file('foreign', bytes))
      expect(r.valid).toBe(false)
      expect(r.errors[0]).toBe(
        `a bbolt database, but not etcd's: no "key" bucket, and its buckets "Task" are not etcd's`
      )
    }
  })

  it('no internal sentinel in messages: a page id of 2^64-1 is printed as such', async () => {
    const bytes = tinySnapshot(4096)
    const data = Buffer.from(bytes.subarray(0, bytes.length - 32))
    data.writeBigUInt64LE(0xffffffffffffffffn, 4096) // meta page 1's own page id
    const r = await verifySnapshot(file('sentinel', withTrailer(data)))
    expect(r.errors[0]).toMatch(/^meta page 1 \(byte 4096\): page header id is 18446744073709551615, expected 1/)
    expect(r.errors.join('\n')).not.toMatch(/-1\b/)
  })
})

describe('a damaged page-size field in meta page 0', () => {
  for (const pageSize of [16384, 65536]) {
    it(`finds meta page 1 of a ${pageSize / 1024} KiB-page file and reports its status`, async () => {
      const good = file(`tiny-${pageSize}`, tinySnapshot(pageSize))
      const report = await verifySnapshot(good)
      const reference = expectedToolStatus(report)
      expect(await toolStatus(good)).toEqual(reference)
      const data = Buffer.from(readFileSync(good).subarray(0, -32))
      data.writeUInt32LE(12345, 24)
      const r = await verifySnapshot(file(`damaged-${pageSize}`, withTrailer(data)))
      expect(r.valid).toBe(false)
      expect(r.errors[0]).toMatch(/^meta page 0 \(byte 0\)/)
      expect(r.errors.every(e => e.startsWith('meta page 0 (byte 0)'))).toBe(true)
      expect(r.pageSize).toBe(pageSize)
      expect(expectedToolStatus(r)).toEqual(reference)
    })
  }
})

describe('names that carry terminal escape sequences', () => {
  // eslint-disable-next-line no-control-regex
  const escapes = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/
  it('are printed escaped by verify, in text and in JSON', async () => {
    const foreign = file(
      'escape-bucket',
      boltBytes(
        buildBolt({
          pageSize: 4096,
          root: 2,
          pages: [
            {
              id: 2,
              leaf: [{ key: Buffer.from('\x1b]0;owned\x07\u009b', 'latin1'), value: inlineBucket([]), bucket: true }]
            }
          ]
        })
      )
    )
    const bucket = await cli('verify', '--skip-hash-check', foreign)
    expect(bucket.stdout).not.toMatch(escapes)
    expect(bucket.stdout).toContain('"\\x1b]0;owned\\x07\\x9b"')

    const key = file('escape-key', tinySnapshot(4096, '/registry/ev\x1b[2J\u009bil/ns/name'))
    for (const args of [[key], [key, '--json'], [key, '--required-key', '/x\x1b[2J']]) {
      const r = await cli('verify', ...args)
      expect({ args, raw: escapes.test(r.stdout + r.stderr) }).toEqual({ args, raw: false })
    }
    const text = await cli('verify', key)
    expect(text.code).toBe(0)
    expect(text.stdout).toContain('ev\\x1b[2J\\x9bil 1')
    const json = await cli('verify', key, '--json')
    expect(JSON.parse(json.stdout)).toMatchObject({ kubernetes: { resources: { 'ev\x1b[2J\u009bil': 1 } } })
  })
})

describe('memory stays bounded whatever pages a file declares', () => {
  it('a page of 20 MiB, as a large value makes, is read and agrees with the snapshot tool', async () => {
    const value = keyValue('/big', 2, Buffer.alloc(20 * MIB, 0x61))
    const path = join(dir, 'big-value')
    const image = buildBolt({
      pageSize: 4096,
      root: 2,
      pages: [
        { id: 2, leaf: ROOT_WITH_KEY_AT_3 },
        { id: 3, leaf: [{ key: revisionKey(2), value }] }
      ]
    })
    writeFileSync(path, withTrailer(boltBytes(image)))
    const r = await verifySnapshot(path)
    expect(r.errors).toEqual([])
    expect(await toolStatus(path)).toEqual(expectedToolStatus(r))
  })

  const cases: [string, () => string, RegExp][] = [
    [
      'one leaf page of 1 GiB',
      () => hostileFile('leaf-1g', 4096, [bigLeaf(3, 1024 * MIB - 16 - 16 - 17)]),
      /^invalid snapshot .*: page 3 \(byte \d+\): with its overflow the page spans 1073741824 bytes/
    ],
    [
      'a 128 MiB branch page over a 1 GiB leaf',
      () =>
        hostileFile('branch-128m', 65536, [bigBranch(3, 4095, 32768, 2100), bigLeaf(2100, 1024 * MIB - 16 - 16 - 17)]),
      /^invalid snapshot .*: page 3 \(byte \d+\): with its overflow the page spans \d+ bytes, more than/
    ],
    [
      'a 24 MiB branch page over a 30 MiB leaf',
      () => hostileFile('branch-24m', 65536, [bigBranch(3, 768, 32768, 400), bigLeaf(400, 30 * MIB)]),
      /^invalid snapshot .*: page 400 \(byte \d+\): .* more than the 48 MiB the verifier holds at once/
    ]
  ]
  it('a 64 GiB sparse database of 512-byte pages: its page accounting fits in under 150 MB', () => {
    const path = join(dir, 'pages-64g')
    const hwm = 2 ** 27
    const buckets = ['key', 'meta'].map(name => ({ key: Buffer.from(name), value: inlineBucket([]), bucket: true }))
    writeSparse(path, buildBolt({ pageSize: 512, root: 2, hwm, pages: [{ id: 2, leaf: buckets }] }))
    const r = verifyPeakMemory(path)
    rmSync(path)
    expect({ code: r.code, headline: r.headline }).toEqual({
      code: 1,
      headline: expect.stringMatching(/^invalid snapshot .*: no sha256 trailer/)
    })
    expect(r.peakMb).toBeLessThan(150)
  }, 150_000)

  for (const [what, make, headline] of cases) {
    it(`${what}: refused in under 150 MB`, () => {
      const path = make()
      const r = verifyPeakMemory(path)
      rmSync(path)
      expect({ code: r.code, headline: r.headline }).toEqual({ code: 1, headline: expect.stringMatching(headline) })
      expect(r.peakMb).toBeLessThan(150)
    }, 150_000)
  }
})
