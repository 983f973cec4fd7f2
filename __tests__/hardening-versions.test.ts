/**
 * etcd 3.4, 3.5 and 3.6 command-line differences. 3.4 is the real thing everywhere else in the suite (Debian's
 * etcd 3.4.23). 3.5 and 3.6 cannot run here, so these tests use RECORDED, NOT REAL stand-ins
 * (support/recorded-etcd.ts): shell scripts printing what etcdctl/etcdutl 3.5.17 and 3.6.5 print, per etcd's source
 * at those tags, given to the action through its etcdctl/etcdutl inputs. The action streams the snapshot itself from
 * the real 3.4 member their recorded numbers were taken from, so its own checks run on real bytes.
 */
import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describeTotalKey } from '../src/etcd/snapshot.js'
import { runAction, type ActionRun } from './support/action-runner.js'
import { startEtcd, stopAll, type EtcdMember } from './support/etcd.js'
import { filesUnder } from './support/faults.js'
import { makePki, type Pki } from './support/pki.js'
import { writeRecordedTools, type RecordedFixture } from './support/recorded-etcd.js'
import { SecretScan } from './support/secrets.js'
import { countKeys, deleteKeys, put, seedKubernetes } from './support/seed.js'
import { memberHashKv, saveSnapshot, toolStatus } from './support/snapshots.js'

let dir: string
let pki: Pki
let member: EtcdMember
let fixture: RecordedFixture
let identityFile: string
let recipient: string
const secrets = new SecretScan()
const runs: Record<string, ActionRun> = {}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hardening-versions-'))
  pki = await makePki(join(dir, 'pki'))
  member = await startEtcd({ pki })
  await seedKubernetes(member, { objects: 500, seed: 4 })
  // Overwrites and deletions, so "every bolt entry" and "live keys" differ as they do on a real cluster.
  for (let i = 0; i < 20; i++) await put(member, '/registry/leases/kube-node-lease/node-1', `renewal ${i}`)
  await deleteKeys(member, ['/registry/leases/kube-node-lease/node-1'])
  const snapshot = join(dir, 'fixture.db')
  await saveSnapshot(member, snapshot)
  const status = await toolStatus(snapshot)
  const [hashKv] = await memberHashKv(member, status.revision)
  fixture = {
    snapshot,
    hash: status.hash,
    revision: status.revision,
    boltEntries: status.totalKey,
    liveKeys: await countKeys(member),
    totalSize: status.totalSize,
    hashKv: hashKv?.hash ?? 0,
    compactRevision: hashKv?.compactRevision ?? 0
  }
  identityFile = join(dir, 'key.txt')
  execFileSync('age-keygen', ['-o', identityFile], { stdio: 'ignore' })
  recipient = execFileSync('age-keygen', ['-y', identityFile], { encoding: 'utf8' }).trim()
  secrets.addPki(pki).addAgeIdentities('age identity', identityFile)
})

afterAll(async () => {
  await stopAll()
  rmSync(dir, { recursive: true, force: true })
})

async function backupWith(
  name: string,
  version: string,
  opts: { etcdutl: boolean }
): Promise<{ main: ActionRun; outputDir: string; tools: { etcdctl: string; etcdutl?: string } }> {
  const toolDir = join(dir, `tools-${name}`)
  mkdirSync(toolDir)
  const tools = writeRecordedTools(toolDir, { version }, fixture, opts.etcdutl)
  const outputDir = mkdtempSync(join(dir, 'out-'))
  const { main, post } = await runAction({
    inputs: {
      // The recorded etcdctl never connects anywhere; the member is real only for the fixture.
      endpoints: member.clientUrl,
      cacert: pki.caCert,
      cert: pki.clientCert,
      key: pki.clientKey,
      etcdctl: tools.etcdctl,
      etcdutl: tools.etcdutl ?? '',
      recipients: recipient,
      upload: 'false',
      'output-dir': outputDir,
      'artifact-name': name
    }
  })
  runs[`${name} main`] = main
  runs[`${name} post`] = post
  expect(post.code).toBe(0)
  return { main, outputDir, tools }
}

/** The log line that reports the verified snapshot and how its totalKey is meant. */
function verifiedLine(main: ActionRun): string {
  return main.log.split('\n').find(l => l.startsWith('snapshot verified:')) ?? ''
}

/** The backup decrypts to exactly the fixture's bytes. */
function expectFixtureBackedUp(main: ActionRun): void {
  const trailer = execFileSync(
    'sh',
    ['-c', `age -d -i "${identityFile}" "${main.outputs['snapshot-file']}" | zstd -d | sha256sum`],
    { encoding: 'utf8' }
  ).split(' ')[0]
  expect(trailer).toBe(execFileSync('sha256sum', [fixture.snapshot], { encoding: 'utf8' }).split(' ')[0])
  expect(main.outputs['revision']).toBe(String(fixture.revision))
  expect(main.outputs['hash']).toBe(String(fixture.hash))
}

describe('etcd 3.5 (RECORDED outputs, not a real etcd 3.5)', () => {
  it('etcdctl and etcdutl 3.5.17: status comes from etcdutl; totalKey counts every bolt entry, and says so', async () => {
    expect(fixture.boltEntries).toBeGreaterThan(fixture.liveKeys)
    const { main, tools } = await backupWith('v35', '3.5.17', { etcdutl: true })
    expect(main.error).toBeUndefined()
    expect(main.log).toContain(`etcdctl 3.5.17 at ${tools.etcdctl}`)
    expect(main.log).toContain(`etcdutl 3.5.17 at ${tools.etcdutl}`)
    expect(verifiedLine(main)).toContain(`${fixture.boltEntries} ${describeTotalKey('bolt-entries')}`)
    expect(verifiedLine(main)).toContain('etcdutl')
    expect(main.outputs['total-keys']).toBe(String(fixture.boltEntries))
    expect(main.outputs['etcd-version']).toBe('3.5.17')
    // uint64 member ids above 2^53 survive as exact hex.
    const manifest = JSON.parse(
      readFileSync(join(main.outputs['snapshot-file'] as string, '..', 'manifest.json'), 'utf8')
    ) as { etcd: Record<string, unknown> }
    expect(manifest.etcd['memberId']).toBe(BigInt('10276657743932975437').toString(16))
    expect(manifest.etcd['etcdutlVersion']).toBe('3.5.17')
    expectFixtureBackedUp(main)
  })

  it('etcdctl 3.5.17 alone: its deprecated snapshot status still answers', async () => {
    const { main } = await backupWith('v35-ctl-only', '3.5.17', { etcdutl: false })
    expect(main.error).toBeUndefined()
    expect(main.log).toContain('etcdutl not found; etcdctl answers snapshot status')
    expect(verifiedLine(main)).toContain(`${fixture.boltEntries} ${describeTotalKey('bolt-entries')}`)
    expect(verifiedLine(main)).toContain('etcdctl')
    expectFixtureBackedUp(main)
  })
})

describe('etcd 3.6 (RECORDED outputs, not a real etcd 3.6)', () => {
  it('etcdctl and etcdutl 3.6.5: totalKey now counts live keys, and the log says which it is', async () => {
    const { main } = await backupWith('v36', '3.6.5', { etcdutl: true })
    expect(main.error).toBeUndefined()
    expect(main.outputs['total-keys']).toBe(String(fixture.liveKeys))
    expect(verifiedLine(main)).toContain(`${fixture.liveKeys} ${describeTotalKey('live-keys')}`)
    expect(verifiedLine(main)).toContain('etcdutl')
    expectFixtureBackedUp(main)
  })

  it('etcdctl 3.6.5 without etcdutl: refused before the snapshot is taken, saying where status went', async () => {
    const { main, outputDir } = await backupWith('v36-ctl-only', '3.6.5', { etcdutl: false })
    expect(main.error).toBe(
      "etcdctl 3.6.5 has no 'snapshot status' (etcd 3.6 moved it to etcdutl); put etcdutl on PATH or set the etcdutl input"
    )
    expect(main.log).not.toMatch(/::group::Take the snapshot/)
    expect(filesUnder(outputDir)).toEqual([])
  })
})


describe('secrets', () => {
  it('leaks no secret in any run of this file', () => {
    expect(Object.keys(runs)).toHaveLength(8)
    secrets.expectClean({ runs, trees: [dir] })
  })
})
