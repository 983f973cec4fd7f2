/**
 * `etcd-snapshot decrypt` and `etcd-snapshot restore`, the tools for an operator with a downloaded backup and a key:
 * files written by the public `age` and `zstd` CLIs and by the backup pipeline are decrypted byte for byte, a restore
 * boots into an etcd that serves every key of the source, and every failure is one line that leaves no plaintext.
 */
import { execFileSync } from 'node:child_process'
import {
  copyFileSync,
  createReadStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync
} from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import { run } from '../../src/cli/index.js'
import { writeBackupFile } from '../../src/pipeline/index.js'
import { unpackBackup } from '../../src/pipeline/unpack.js'
import { ETCD_VERSION, ETCDUTL_BIN, etcdctl, RESTORE_CAN_BUMP, startEtcd, stopAll } from '../harness/etcd.js'
import { currentRevision, readAll, seedKubernetes } from '../harness/seed.js'
import { saveSnapshot } from '../harness/snapshots.js'
import { expectDataDirServes } from '../harness/restored.js'

const PASSPHRASE = 'a passphrase typed at 3 a.m.'
/** The restore tool the CLI picks: etcdutl of the release when present (3.5+), else etcdctl. */
const TOOL_NAME = ETCDUTL_BIN ? 'etcdutl' : 'etcdctl'

let dir: string
let snapshot: string
let original: Buffer
let revision: number
let live: Map<string, Buffer>
/** A copy of the source member's member/snap/db: a raw bbolt database, no sha256 trailer. */
let rawDb: string
let keyFile: string
let otherKeyFile: string
let passphraseFile: string
let wrongPassphraseFile: string
/** Backup files in every shape, each in its own folder (decrypt writes next to its input). */
const files: Record<'ageZstd' | 'passGzip' | 'zstdOnly' | 'ageTruncatedZstd', string> = {
  ageZstd: '',
  passGzip: '',
  zstdOnly: '',
  ageTruncatedZstd: ''
}

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

function folderWith(name: string, data: Buffer): string {
  const folder = mkdtempSync(join(dir, 'f-'))
  writeFileSync(join(folder, name), data)
  return join(folder, name)
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'restore-cli-test-'))
  const member = await startEtcd()
  await seedKubernetes(member, { objects: 500, seed: 9 })
  snapshot = join(dir, 'snapshot.db')
  await saveSnapshot(member, snapshot)
  original = readFileSync(snapshot)
  revision = await currentRevision(member)
  live = await readAll(member)
  await member.stop()
  rawDb = join(mkdtempSync(join(dir, 'raw-')), 'db')
  copyFileSync(join(member.dataDir, 'member', 'snap', 'db'), rawDb)

  keyFile = join(dir, 'key.txt')
  otherKeyFile = join(dir, 'other-key.txt')
  execFileSync('age-keygen', ['-o', keyFile], { stdio: 'ignore' })
  execFileSync('age-keygen', ['-o', otherKeyFile], { stdio: 'ignore' })
  const recipient = execFileSync('age-keygen', ['-y', keyFile], { encoding: 'utf8' }).trim()
  passphraseFile = join(dir, 'passphrase.txt')
  writeFileSync(passphraseFile, `${PASSPHRASE}\n`)
  wrongPassphraseFile = join(dir, 'wrong-passphrase.txt')
  writeFileSync(wrongPassphraseFile, 'not the passphrase\n')

  // Public tools: zstd, then age to a recipient.
  const zstd = execFileSync('zstd', ['-q', '-c', snapshot])
  files.zstdOnly = folderWith('backup.db.zst', zstd)
  files.ageZstd = folderWith('nightly.db.zst.age', execFileSync('age', ['-r', recipient], { input: zstd }))
  // A zstd stream cut short, then encrypted intact: age authenticates it, decompression must catch it.
  files.ageTruncatedZstd = folderWith(
    'cut.db.zst.age',
    execFileSync('age', ['-r', recipient], { input: zstd.subarray(0, zstd.length - 500) })
  )
  // The backup pipeline itself: gzip, then age with a passphrase.
  const passFolder = mkdtempSync(join(dir, 'f-'))
  files.passGzip = join(passFolder, 'weekly.db.gz.age')
  await writeBackupFile({
    source: createReadStream(snapshot),
    output: files.passGzip,
    compression: 'gzip',
    compressionLevel: 6,
    encryption: { kind: 'age-passphrase', passphrase: PASSPHRASE }
  })
})

afterAll(async () => {
  await stopAll()
  rmSync(dir, { recursive: true, force: true })
})

/** No plaintext, partial file or temp dir left in a folder. */
function expectNoPlaintextIn(folder: string, allowed: string[]): void {
  expect(readdirSync(folder).filter(f => !allowed.includes(f))).toEqual([])
}

describe('etcd-snapshot decrypt', () => {
  it('decrypts age + zstd made by the public CLIs, next to the file by default, 0600, and verifies it', async () => {
    const r = await cli('decrypt', files.ageZstd, '--identity', keyFile)
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    const out = files.ageZstd.replace(/\.zst\.age$/, '')
    expect(readFileSync(out).equals(original)).toBe(true)
    expect(statSync(out).mode & 0o777).toBe(0o600)
    expect(r.stdout).toContain(`wrote ${out}`)
    expect(r.stdout).toContain('(age + zstd)')
    expect(r.stdout).toMatch(
      new RegExp(
        `^valid etcd snapshot: revision ${revision}, ${live.size} live keys, sha256 ${original.subarray(-32).toString('hex')}$`,
        'm'
      )
    )
  })

  it('decrypts the backup pipeline’s passphrase + gzip file to -o', async () => {
    const out = join(dir, 'from-passphrase.db')
    const r = await cli('decrypt', files.passGzip, '--passphrase-file', passphraseFile, '-o', out)
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('(age + gzip)')
    expect(readFileSync(out).equals(original)).toBe(true)
  })

  it('decompresses a file that was never encrypted, without a key', async () => {
    const out = join(dir, 'from-zstd.db')
    const r = await cli('decrypt', files.zstdOnly, '--output', out)
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('(zstd)')
    expect(readFileSync(out).equals(original)).toBe(true)
  })

  it.each([
    [
      'a wrong identity',
      () => [files.ageZstd, '-o', join(dir, 'never.db'), '--identity', otherKeyFile],
      /^etcd-snapshot decrypt: cannot decrypt nightly\.db\.zst\.age: no identity matches this file \(wrong key\?\)\n$/
    ],
    [
      'a wrong passphrase',
      () => [files.passGzip, '--passphrase-file', wrongPassphraseFile],
      /^etcd-snapshot decrypt: cannot decrypt weekly\.db\.gz\.age: wrong passphrase or file is not passphrase-encrypted\n$/
    ],
    [
      'no key for an encrypted file',
      () => [files.ageZstd, '-o', join(dir, 'never.db')],
      /^etcd-snapshot decrypt: nightly\.db\.zst\.age is age-encrypted; give the age identity/
    ],
    [
      'a passphrase for a file encrypted to a key',
      () => [files.ageZstd, '-o', join(dir, 'never.db'), '--passphrase-file', passphraseFile],
      /it was encrypted to public keys, decrypt it with an identity\n$/
    ],
    [
      'tampered ciphertext',
      () => [tamper(files.ageZstd, 'tampered.db.zst.age', b => void (b[b.length - 40]! ^= 1)), '--identity', keyFile],
      /^etcd-snapshot decrypt: cannot decrypt tampered\.db\.zst\.age: file is truncated or was tampered with/
    ],
    [
      'truncated ciphertext',
      () => [tamper(files.ageZstd, 'short.db.zst.age', b => b.subarray(0, b.length - 100)), '--identity', keyFile],
      /^etcd-snapshot decrypt: cannot decrypt short\.db\.zst\.age: file is truncated/
    ],
    [
      'a truncated zstd stream inside intact age',
      () => [files.ageTruncatedZstd, '--identity', keyFile],
      /^etcd-snapshot decrypt: cut\.db\.zst\.age: it ends in the middle of the compressed stream \(truncated\)/
    ],
    [
      'corrupt zstd',
      () => [
        tamper(files.zstdOnly, 'corrupt.db.zst', b => void (b[Math.floor(b.length / 2)]! ^= 0xff)),
        '-o',
        join(dir, 'never.db')
      ],
      /^etcd-snapshot decrypt: corrupt\.db\.zst: corrupt zstd data/
    ],
    [
      'a file that is no backup',
      () => [keyFile, '-o', join(dir, 'never.db')],
      /^etcd-snapshot decrypt: key\.txt is not a backup file/
    ]
  ])('fails on %s with one line and leaves nothing behind', async (_what, args, expected) => {
    const argv = args()
    const folder = join(argv[0]!, '..')
    const before = readdirSync(folder)
    const r = await cli('decrypt', ...argv)
    expect(r.code).toBe(1)
    expect(r.stdout).toBe('')
    expect(r.stderr).toMatch(expected)
    expect(r.stderr.trimEnd()).not.toContain('\n')
    expectNoPlaintextIn(folder, before)
    expect(existsSync(join(dir, 'never.db'))).toBe(false)
    expect(existsSync(join(dir, 'never.db.partial'))).toBe(false)
  })

  it('refuses to overwrite an existing file', async () => {
    const out = join(dir, 'exists.db')
    writeFileSync(out, 'mine')
    const r = await cli('decrypt', files.zstdOnly, '-o', out)
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/exists\.db already exists; remove it or choose another output path/)
    expect(readFileSync(out, 'utf8')).toBe('mine')
  })

  it('refuses a directory at the output path and leaves it as it was', async () => {
    const out = mkdtempSync(join(dir, 'taken-'))
    writeFileSync(join(out, 'inside'), 'mine')
    const r = await cli('decrypt', files.zstdOnly, '-o', out)
    expect(r.code).toBe(1)
    expect(r.stderr).toBe(
      `etcd-snapshot decrypt: ${out} already exists; remove it or choose another output path with -o\n`
    )
    expect(readdirSync(out)).toEqual(['inside'])
    expect(readFileSync(join(out, 'inside'), 'utf8')).toBe('mine')
    expect(readdirSync(dir).filter(n => n.startsWith(`.${basename(out)}`))).toEqual([])
  })

  it('keeps no plaintext that fails verification: nothing takes the output name, no partial stays', async () => {
    // Sound compression around an unsound snapshot: only the verifier can tell.
    const damaged = Buffer.from(original)
    damaged[Math.floor(damaged.length / 2)]! ^= 0xff
    const input = folderWith('damaged.db.zst', execFileSync('zstd', ['-q', '-c'], { input: damaged }))
    const folder = join(input, '..')
    const r = await cli('decrypt', input)
    expect(r.code).toBe(1)
    expect(readdirSync(folder)).toEqual(['damaged.db.zst'])
    expect(r.stderr).toMatch(
      /^etcd-snapshot decrypt: damaged\.db\.zst does not hold a sound etcd snapshot, nothing was written: \S/
    )
    expect(r.stderr.trimEnd()).not.toContain('\n')
  })

  it.each([
    [[], /missing the backup file/],
    [['a', 'b'], /expected one backup file, got 2/],
    [['x.age', '--frobnicate'], /unknown option --frobnicate/],
    [['/no/such/file.age'], /backup file \/no\/such\/file\.age does not exist/],
    [['F', '--identity', 'K', '--passphrase-file', 'P'], /give --identity or --passphrase-file, not both/],
    [['F', '--identity'], /--identity needs a value/]
  ])('usage error %j exits 2 with the usage', async (argv, expected) => {
    const resolved = argv.map(a => (a === 'F' ? files.ageZstd : a === 'K' ? keyFile : a === 'P' ? passphraseFile : a))
    const r = await cli('decrypt', ...resolved)
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(expected)
    expect(r.stderr).toContain('usage: etcd-snapshot decrypt <backup-file>')
  })
})

function tamper(source: string, name: string, change: (b: Buffer) => Buffer | void): string {
  const bytes = Buffer.from(readFileSync(source))
  return folderWith(name, change(bytes) ?? bytes)
}

describe('etcd-snapshot restore', () => {
  it('decrypts, verifies and restores into a new data dir; etcd on it serves every key; no plaintext stays', async () => {
    const parent = mkdtempSync(join(dir, 'node-'))
    const dataDir = join(parent, 'etcd')
    const r = await cli(
      'restore',
      files.ageZstd,
      '--identity',
      keyFile,
      '--data-dir',
      dataDir,
      '--name',
      'cp1',
      '--initial-cluster',
      'cp1=https://127.0.0.1:2380',
      '--initial-cluster-token',
      'restored-by-cli'
    )
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(new RegExp(`^verified: revision ${revision}, ${live.size} live keys`, 'm'))
    const bumped = `; revision bumped by 1000000000 to ${revision + 1_000_000_000} and marked compacted`
    expect(r.stdout).toContain(
      `\nrestored into ${dataDir} with ${TOOL_NAME} ${ETCD_VERSION}: member cp1 (https://127.0.0.1:2380) of cp1=https://127.0.0.1:2380${RESTORE_CAN_BUMP ? bumped : ''}\n`
    )
    if (RESTORE_CAN_BUMP) expect(r.stderr).toBe('')
    // A tool before --bump-revision (etcdctl < 3.4.27): said on stderr, restore done anyway.
    else
      expect(r.stderr).toMatch(
        new RegExp(`^warning: ${TOOL_NAME} ${ETCD_VERSION.replace(/\./g, '\\.')} cannot bump the revision`)
      )
    // The plaintext lived in a private dir beside the data dir and is gone.
    expect(readdirSync(parent)).toEqual(['etcd'])
    expect(statSync(dataDir).mode & 0o777).toBe(0o700)

    await expectDataDirServes(dataDir, live)
  })

  it('restores a plain snapshot with the bump turned off, without a key and without warnings', async () => {
    const dataDir = join(mkdtempSync(join(dir, 'node-')), 'etcd')
    const r = await cli(
      'restore',
      snapshot,
      '--data-dir',
      dataDir,
      '--bump-revision',
      '0',
      '--name',
      'a',
      '--initial-advertise-peer-urls',
      'http://127.0.0.1:2380'
    )
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    expect(readdirSync(dataDir)).toEqual(['member'])
  })

  it.each([
    [
      'a wrong identity',
      () => [files.ageZstd, '--identity', otherKeyFile],
      /^etcd-snapshot restore: cannot decrypt nightly\.db\.zst\.age: no identity matches/
    ],
    [
      'a wrong passphrase',
      () => [files.passGzip, '--passphrase-file', wrongPassphraseFile],
      /^etcd-snapshot restore: cannot decrypt weekly\.db\.gz\.age: wrong passphrase/
    ],
    [
      'truncated ciphertext',
      () => [tamper(files.ageZstd, 'cut-short.db.zst.age', b => b.subarray(0, b.length - 5000)), '--identity', keyFile],
      /^etcd-snapshot restore: cannot decrypt cut-short\.db\.zst\.age: file is truncated/
    ],
    [
      'an unsound snapshot',
      () => [tamper(snapshot, 'damaged.db', b => void (b[100]! ^= 0xff))],
      /^etcd-snapshot restore: the snapshot is not sound, nothing was restored: /
    ]
  ])('fails on %s: one line, no data dir, no plaintext', async (_what, args, expected) => {
    const parent = mkdtempSync(join(dir, 'node-'))
    const r = await cli('restore', ...args(), '--data-dir', join(parent, 'etcd'))
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(expected)
    expect(r.stderr.trimEnd()).not.toContain('\n')
    expect(readdirSync(parent)).toEqual([])
  })

  it('refuses a non-empty data dir before decrypting anything', async () => {
    const dataDir = mkdtempSync(join(dir, 'busy-'))
    mkdirSync(join(dataDir, 'member'))
    const parentBefore = readdirSync(join(dataDir, '..')).length
    const r = await cli('restore', files.ageZstd, '--identity', keyFile, '--data-dir', dataDir)
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(
      /^etcd-snapshot restore: data-dir .* is not empty \(member\); restore into a new directory and swap it in while etcd is stopped\n$/
    )
    expect(readdirSync(join(dataDir, '..')).length).toBe(parentBefore)
    expect(readdirSync(dataDir)).toEqual(['member'])
  })

  it('refuses a file at --data-dir and leaves it as it was', async () => {
    const parent = mkdtempSync(join(dir, 'node-'))
    writeFileSync(join(parent, 'etcd'), 'not a directory')
    const r = await cli('restore', files.ageZstd, '--identity', keyFile, '--data-dir', join(parent, 'etcd'))
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(
      /^etcd-snapshot restore: data-dir .*\/etcd exists and is not a directory; give a new or empty directory\n$/
    )
    expect(readdirSync(parent)).toEqual(['etcd'])
    expect(readFileSync(join(parent, 'etcd'), 'utf8')).toBe('not a directory')
  })

  it('leaves an empty data dir that was there in place when the restore fails, and removes only what it made', async () => {
    const parent = mkdtempSync(join(dir, 'node-'))
    const dataDir = join(parent, 'etcd')
    mkdirSync(dataDir, { mode: 0o750 })
    // The snapshot is sound; the tool itself refuses a cluster in which two members share a peer URL.
    const r = await cli(
      'restore',
      files.ageZstd,
      '--identity',
      keyFile,
      '--data-dir',
      dataDir,
      '--name',
      'a',
      '--initial-cluster',
      'a=http://127.0.0.1:2380,b=http://127.0.0.1:2380'
    )
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(new RegExp(`^etcd-snapshot restore: ${TOOL_NAME} snapshot restore failed: .*duplicate`))
    expect(r.stderr.trimEnd()).not.toContain('\n')
    expect(readdirSync(parent)).toEqual(['etcd'])
    expect(readdirSync(dataDir)).toEqual([])
    expect(statSync(dataDir).mode & 0o777).toBe(0o750)
  })

  it('passes a snapshot whose name starts with - to the tool as a file, not a flag', async () => {
    const folder = mkdtempSync(join(dir, 'dash-'))
    copyFileSync(snapshot, join(folder, '-snapshot.db'))
    const dataDir = join(folder, 'etcd')
    const cwd = process.cwd()
    process.chdir(folder)
    let r: CliResult
    try {
      r = await cli('restore', '--data-dir', dataDir, '--bump-revision', '0', '--', '-snapshot.db')
    } finally {
      process.chdir(cwd)
    }
    expect(r.stderr).toMatch(/^(warning: no name or initial-cluster given.*\n)?$/)
    expect(r.code).toBe(0)
    await expectDataDirServes(dataDir, live)
  })

  it('refuses a member name with a newline in one whole line that shows it', async () => {
    const parent = mkdtempSync(join(dir, 'node-'))
    const r = await cli(
      'restore',
      snapshot,
      '--data-dir',
      join(parent, 'etcd'),
      '--name',
      'cp1\nevil',
      '--initial-advertise-peer-urls',
      'http://127.0.0.1:2380'
    )
    expect(r.code).toBe(1)
    expect(r.stderr).toBe(
      `etcd-snapshot restore: name: member name "cp1\\nevil" must not contain white space, control characters, ',' or '='; use the node name exactly as etcd's --name has it\n`
    )
    expect(readdirSync(parent)).toEqual([])
  })

  it.each([
    ['a comma', 'a,b'],
    ['an equals sign', 'a=b'],
    ['a control character', 'a\u0007b']
  ])('refuses a member name with %s', async (_what, name) => {
    const r = await cli(
      'restore',
      snapshot,
      '--data-dir',
      join(mkdtempSync(join(dir, 'node-')), 'etcd'),
      '--name',
      name,
      '--initial-advertise-peer-urls',
      'http://127.0.0.1:2380'
    )
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(
      /^etcd-snapshot restore: name: member name ".*" must not contain white space, control characters, ',' or '='/
    )
    expect(r.stderr.trimEnd()).not.toContain('\n')
  })

  describe('a raw member database (a copy of member/snap/db, no sha256 trailer)', () => {
    it('is refused without --skip-hash-check, in one line that says what it is and how to restore it', async () => {
      const parent = mkdtempSync(join(dir, 'node-'))
      const r = await cli('restore', rawDb, '--data-dir', join(parent, 'etcd'))
      expect(r.code).toBe(1)
      expect(r.stderr).toMatch(
        /^etcd-snapshot restore: the snapshot is not sound, nothing was restored: no sha256 trailer .*member\/snap\/db.*--skip-hash-check\n$/
      )
      expect(readdirSync(parent)).toEqual([])
    })

    it('restores with --skip-hash-check; etcd boots on it and serves every key', async () => {
      const dataDir = join(mkdtempSync(join(dir, 'node-')), 'etcd')
      const r = await cli(
        'restore',
        rawDb,
        '--skip-hash-check',
        '--data-dir',
        dataDir,
        '--name',
        'raw',
        '--initial-advertise-peer-urls',
        'http://127.0.0.1:2380'
      )
      expect(r.code).toBe(0)
      expect(r.stdout).toMatch(
        new RegExp(`^verified: revision ${revision}, ${live.size} live keys, sha256 none \\(no trailer\\)$`, 'm')
      )
      expect(r.stdout).toMatch(/^restored into .*\/etcd with /m)
      await expectDataDirServes(dataDir, live)
    })

    it('copied from a running member, its newer meta page on page 1 and bbolt zero preallocation at its end: restores with --skip-hash-check', async () => {
      const running = await startEtcd()
      await seedKubernetes(running, { objects: 200, seed: 11 })
      const copy = join(mkdtempSync(join(dir, 'running-')), 'db')
      // bbolt alternates meta pages by txid (page = txid % 2): write until the copy's newer meta is page 1.
      const txid = (b: Buffer, page: number): bigint => b.readBigUInt64LE(page * b.readUInt32LE(24) + 16 + 48)
      let db = Buffer.alloc(0)
      // etcd commits its backend every 100 ms: wait past that so the copy holds every write made before it.
      const settle = (): Promise<void> => new Promise(resolve => setTimeout(resolve, 300))
      let source = await readAll(running)
      let sourceRevision = await currentRevision(running)
      await settle()
      for (let i = 0; ; i++) {
        copyFileSync(join(running.dataDir, 'member', 'snap', 'db'), copy)
        db = readFileSync(copy)
        if (txid(db, 1) > txid(db, 0)) break
        expect(i).toBeLessThan(50)
        await etcdctl(running, ['put', `/registry/extra/${i}`, 'x'])
        source = await readAll(running)
        sourceRevision = await currentRevision(running)
        await settle()
      }
      const pageSize = db.readUInt32LE(24)
      const hwm = Number(db.readBigUInt64LE(pageSize + 16 + 40))
      // Past its pages the file holds only bbolt's preallocation (zeros), no trailer: beyond what its pages declare.
      expect(db.length).toBeGreaterThan(hwm * pageSize + 32)
      expect(db.subarray(hwm * pageSize).every(b => b === 0)).toBe(true)
      const packed = folderWith('member.db.zst', execFileSync('zstd', ['-q', '-c', copy], { maxBuffer: 1 << 30 }))
      const dataDir = join(mkdtempSync(join(dir, 'node-')), 'etcd')
      const r = await cli(
        'restore',
        packed,
        '--skip-hash-check',
        '--data-dir',
        dataDir,
        '--bump-revision',
        '0',
        '--name',
        'raw',
        '--initial-advertise-peer-urls',
        'http://127.0.0.1:2380'
      )
      expect(r.stderr).toBe('')
      expect(r.code).toBe(0)
      expect(r.stdout).toMatch(
        new RegExp(
          `^verified: revision ${sourceRevision}, ${source.size} live keys, sha256 none \\(no trailer\\)$`,
          'm'
        )
      )
      await running.stop()
      await expectDataDirServes(dataDir, source)
    })

    it('a zero tail past what a member database file may hold is still a bomb', async () => {
      const pageSize = original.readUInt32LE(24)
      const hwm = Math.max(
        Number(original.readBigUInt64LE(16 + 40)),
        Number(original.readBigUInt64LE(pageSize + 16 + 40))
      )
      const pages = original.subarray(0, hwm * pageSize)
      const limit = (hwm + 1) * pageSize + (16 << 20)
      const fits = folderWith(
        'fits.db.zst',
        execFileSync('zstd', ['-q', '-c'], {
          input: Buffer.concat([pages, Buffer.alloc(limit - pages.length)]),
          maxBuffer: 1 << 30
        })
      )
      const ok = await unpackBackup({ input: fits, output: join(fits, '..', 'out.db') })
      expect(ok.outputSize).toBe(limit)
      const over = folderWith(
        'over.db.zst',
        execFileSync('zstd', ['-q', '-c'], {
          input: Buffer.concat([pages, Buffer.alloc(limit - pages.length + pageSize)]),
          maxBuffer: 1 << 30
        })
      )
      const r = unpackBackup({ input: over, output: join(over, '..', 'out.db') })
      await expect(r).rejects.toThrow(
        `over.db.zst: the unpacked snapshot grows past the ${limit} bytes a member's database file`
      )
      expect(readdirSync(join(over, '..'))).toEqual(['over.db.zst'])
    })
  })

  it.each([
    [['F'], /--data-dir is required/],
    [['F', '--data-dir', 'D', '--bump-revision', 'lots'], /--bump-revision must be a whole number/],
    [
      ['F', '--data-dir', 'D', '--bump-revision', '0', '--mark-compacted'],
      /--mark-compacted needs --bump-revision greater than 0/
    ],
    [['F', '--data-dir', 'D', '--mark-compacted=yes'], /--mark-compacted takes no value/]
  ])('usage error %j exits 2', async (argv, expected) => {
    const resolved = argv.map(a => (a === 'F' ? files.ageZstd : a === 'D' ? join(dir, 'never-dir') : a))
    const r = await cli('restore', ...resolved)
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(expected)
    expect(r.stderr).toContain('usage: etcd-snapshot restore <backup-file> --data-dir DIR')
    expect(existsSync(join(dir, 'never-dir'))).toBe(false)
  })

  it('is listed in the CLI help', async () => {
    const r = await cli('--help')
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/^ {2}decrypt +decrypt and decompress a backup file/m)
    expect(r.stdout).toMatch(/^ {2}restore +decrypt, verify and restore a backup/m)
  })
})
