/**
 * `etcd-snapshot verify`: exit 0 for a valid snapshot, 1 for an invalid one (first line: what and where), 2 for
 * usage errors and unreadable files; --json prints the report. Run in-process through run(), and once through the
 * real entry point as a child process.
 */
import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { run, type CliIO } from '../../src/cli/index.js'
import { verifySnapshot } from '../../src/verify/index.js'
import { dataOf, mapSnapshot, withTrailer } from '../harness/bolt-layout.js'
import { startEtcd, stopAll } from '../harness/etcd.js'
import { seedKubernetes } from '../harness/seed.js'
import { expectedToolStatus, saveSnapshot, toolStatus, type ToolStatus } from '../harness/snapshots.js'

let dir: string
let good: string
let bad: string
let badPage: number
/** The native status (totalKey: every bolt entry, as etcdctl 3.4 and etcdutl 3.5 count), checked against the tool. */
let status: ToolStatus
let liveKeys: number

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'snapshot-cli-'))
  const member = await startEtcd()
  await seedKubernetes(member, { objects: 200, namespaces: 3, encryptSecrets: true })
  good = join(dir, 'good.db')
  await saveSnapshot(member, good)
  await stopAll()
  const report = await verifySnapshot(good)
  expect(await toolStatus(good)).toEqual(expectedToolStatus(report))
  status = report.status
  liveKeys = report.liveKeys
  // Damage a page header of a key-bucket leaf, before the trailer was computed (so only the structure shows it).
  const snap = readFileSync(good)
  const layout = mapSnapshot(snap)
  const leaf = [...layout.pages.values()].find(p => p.bucket === 'key' && p.kind === 'leaf')!
  badPage = leaf.id
  const d = Buffer.from(dataOf(snap))
  d[leaf.offset + 8]! ^= 0x04
  bad = join(dir, 'bad.db')
  writeFileSync(bad, withTrailer(d))
})

afterAll(async () => {
  await stopAll()
  rmSync(dir, { recursive: true, force: true })
})

async function cli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = ''
  let stderr = ''
  const io: CliIO = { stdout: { write: (t: string) => (stdout += t) }, stderr: { write: (t: string) => (stderr += t) } }
  const code = await run(argv, io)
  return { code, stdout, stderr }
}

describe('etcd-snapshot verify', () => {
  it('exits 0 for a valid snapshot and summarises it', async () => {
    const r = await cli('verify', good)
    expect(r.code).toBe(0)
    expect(r.stderr).toBe('')
    const lines = r.stdout.split('\n')
    expect(lines[0]).toBe(`valid etcd snapshot ${good}`)
    expect(r.stdout).toContain(`hash ${status.hash}, totalKey ${status.totalKey}, totalSize ${status.totalSize}`)
    expect(r.stdout).toContain(`live keys ${liveKeys} (etcdutl 3.6 totalKey)`)
    expect(r.stdout).toMatch(/secrets: \d+ \(\d+ encrypted at rest, 0 plain text\)/)
  })

  it('exits 1 for a damaged snapshot, the first line saying what and where', async () => {
    const r = await cli('verify', bad)
    expect(r.code).toBe(1)
    expect(r.stdout.split('\n')[0]).toMatch(
      new RegExp(`^invalid snapshot .*bad\\.db: page ${badPage} \\(byte \\d+\\): page flags 0x00000006`)
    )
  })

  it('--json prints the report', async () => {
    const ok = await cli('verify', good, '--json')
    expect(ok.code).toBe(0)
    const report = JSON.parse(ok.stdout) as Record<string, unknown>
    expect(report).toMatchObject({ valid: true, errors: [], status, liveKeys: 200 })
    expect(Object.keys(report)).toEqual(
      expect.arrayContaining(['valid', 'errors', 'status', 'liveKeys', 'sha256', 'kubernetes', 'hashKV'])
    )
    const no = await cli('verify', '--json', bad)
    expect(no.code).toBe(1)
    expect(JSON.parse(no.stdout)).toMatchObject({ valid: false })
  })

  it('applies --min-keys and --required-key', async () => {
    expect(
      (await cli('verify', good, '--min-keys', '200', '--required-key', '/registry/namespaces/kube-system')).code
    ).toBe(0)
    const few = await cli('verify', good, '--min-keys=201')
    expect(few.code).toBe(1)
    expect(few.stdout).toMatch(/fewer than the minimum 201/)
    const missing = await cli('verify', good, '--required-key', '/registry/nothing/')
    expect(missing.code).toBe(1)
    expect(missing.stdout.split('\n')[0]).toMatch(/no live key under required prefix "\/registry\/nothing\/"/)
  })

  it('exits 2 on usage errors and unreadable files, saying what to fix', async () => {
    const cases: [string[], RegExp][] = [
      [[], /usage: etcd-snapshot <command>/],
      [['frobnicate'], /unknown command "frobnicate"/],
      [['verify'], /missing the snapshot file/],
      [['verify', good, good], /expected one snapshot file, got 2/],
      [['verify', good, '--colour'], /unknown option --colour/],
      [['verify', good, '--min-keys', 'many'], /--min-keys must be a whole number/],
      [['verify', join(dir, 'nope.db')], /cannot open snapshot .*nope\.db: no such file/],
      [['verify', dir], /is not a regular file/]
    ]
    for (const [argv, message] of cases) {
      const r = await cli(...argv)
      expect({ argv, code: r.code }).toEqual({ argv, code: 2 })
      expect(r.stderr).toMatch(message)
      expect(r.stdout).toBe('')
    }
  })

  it('prints help on --help', async () => {
    const r = await cli('verify', '--help')
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/^usage: etcd-snapshot verify <snapshot\.db>/)
  })

  it('works as a program: src/bin/cli.ts sets the exit code', async () => {
    const exec = (args: string[]): Promise<{ code: number; stdout: string }> =>
      new Promise(resolve => {
        execFile(
          'npx',
          ['tsx', 'src/bin/cli.ts', ...args],
          { cwd: fileURLToPath(new URL('../..', import.meta.url)) },
          (err, stdout) => resolve({ code: err ? Number(err.code) : 0, stdout })
        )
      })
    const ok = await exec(['verify', good, '--json'])
    expect(ok.code).toBe(0)
    expect(JSON.parse(ok.stdout)).toMatchObject({ valid: true, status })
    const no = await exec(['verify', bad])
    expect(no.code).toBe(1)
    expect(no.stdout).toMatch(/^invalid snapshot/)
  })
})
