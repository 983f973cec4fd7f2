/**
 * The action with the etcdctl and etcdutl of the release under test (ETCD_BIN_DIR; `scripts/dev.sh test` runs this
 * file against the pinned 3.4, 3.5 and 3.6): which tool answers `snapshot status`, what its totalKey means, and
 * what happens when etcdutl is missing: 3.4 never has it, 3.5's etcdctl still answers (deprecated), 3.6's etcdctl
 * has no `snapshot status` and is refused before the snapshot is taken.
 */
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describeTotalKey } from '../../src/backup/save.js'
import { runAction, type ActionRun } from '../harness/action-runner.js'
import {
  ETCD_BIN_DIR,
  ETCD_VERSION,
  ETCDCTL_BIN,
  ETCDUTL_BIN,
  etcdAtLeast,
  memberStatus,
  startEtcd,
  stopAll,
  type EtcdMember
} from '../harness/etcd.js'
import { filesUnder } from '../harness/faults.js'
import { makePki, type Pki } from '../harness/pki.js'
import { SecretScan } from '../harness/secrets.js'
import { countKeys, deleteKeys, put, seedKubernetes } from '../harness/seed.js'
import { saveSnapshot, toolStatus, type ToolStatus } from '../harness/snapshots.js'

const is36 = etcdAtLeast('3.6.0')

let dir: string
let pki: Pki
let member: EtcdMember
let snapshot: string
let status: ToolStatus
let liveKeys: number
let identityFile: string
let recipient: string
/** Every secret this file hands the action; each run is searched, with its output-dir, as soon as it ends. */
const secrets = new SecretScan()

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hardening-versions-'))
  pki = await makePki(join(dir, 'pki'))
  member = await startEtcd({ pki })
  await seedKubernetes(member, { objects: 500, seed: 4 })
  // Overwrites and deletions, so "every bolt entry" and "live keys" differ as they do on a real cluster.
  for (let i = 0; i < 20; i++) await put(member, '/registry/leases/kube-node-lease/node-1', `renewal ${i}`)
  await deleteKeys(member, ['/registry/leases/kube-node-lease/node-1'])
  // The member is not written to afterwards, so every snapshot of it has this revision and these keys.
  snapshot = join(dir, 'reference.db')
  await saveSnapshot(member, snapshot)
  status = await toolStatus(snapshot)
  liveKeys = await countKeys(member)
  identityFile = join(dir, 'key.txt')
  execFileSync('age-keygen', ['-o', identityFile], { stdio: 'ignore' })
  recipient = execFileSync('age-keygen', ['-y', identityFile], { encoding: 'utf8' }).trim()
  secrets.addPki(pki).addAgeIdentities('age identity', identityFile).add('client key PEM', pki.pem('clientKey'))
})

afterAll(async () => {
  await stopAll()
  rmSync(dir, { recursive: true, force: true })
})

/** PATH without the release's directory, so etcdutl is not found there (Debian's /usr/bin has none either). */
function pathWithoutRelease(): string {
  return (process.env['PATH'] ?? '')
    .split(':')
    .filter(p => p !== ETCD_BIN_DIR)
    .join(':')
}

async function backupWith(
  name: string,
  opts: { etcdutl: boolean; inputs?: Record<string, string> }
): Promise<{ main: ActionRun; post: ActionRun; outputDir: string }> {
  const outputDir = mkdtempSync(join(dir, 'out-'))
  const { main, post } = await runAction({
    inputs: {
      endpoints: member.clientUrl,
      cacert: pki.caCert,
      cert: pki.clientCert,
      key: pki.clientKey,
      etcdctl: ETCDCTL_BIN,
      etcdutl: opts.etcdutl ? (ETCDUTL_BIN ?? '') : '',
      recipients: recipient,
      upload: 'false',
      'output-dir': outputDir,
      'artifact-name': name,
      ...opts.inputs
    },
    env: opts.etcdutl ? {} : { PATH: pathWithoutRelease() }
  })
  secrets.expectClean({ runs: { [`${name} main`]: main, [`${name} post`]: post }, trees: [outputDir] })
  expect(post.code).toBe(0)
  return { main, post, outputDir }
}

/** The log line that reports the verified snapshot and how its totalKey is meant. */
function verifiedLine(main: ActionRun): string {
  return main.log.split('\n').find(l => l.startsWith('snapshot verified:')) ?? ''
}

/**
 * The backup decrypts to the snapshot the outputs describe, and etcd's own tool reads the reference's revision and
 * keys in it. (Not the reference's bytes: two snapshots of an idle 3.5+ member differ, bbolt's meta pages at least.)
 */
async function expectSnapshotBackedUp(main: ActionRun): Promise<void> {
  const plain = join(mkdtempSync(join(dir, 'plain-')), 'snapshot.db')
  execFileSync('sh', ['-c', `age -d -i "${identityFile}" "${main.outputs['snapshot-file']}" | zstd -d -o "${plain}"`])
  // etcd's trailer: the last 32 bytes are the sha256 of all before them.
  const bytes = readFileSync(plain)
  const data = bytes.subarray(0, bytes.length - 32)
  expect(bytes.subarray(-32).toString('hex')).toBe(main.outputs['snapshot-sha256'])
  expect(createHash('sha256').update(data).digest('hex')).toBe(main.outputs['snapshot-sha256'])
  const theirs = await toolStatus(plain)
  expect(theirs).toMatchObject({ revision: status.revision, totalKey: status.totalKey })
  expect(main.outputs['revision']).toBe(String(status.revision))
  expect(main.outputs['hash']).toBe(String(theirs.hash))
  rmSync(plain)
}

describe(`etcd ${ETCD_VERSION}, real etcdctl${ETCDUTL_BIN ? ' and etcdutl' : ''}`, () => {
  it(`status comes from ${ETCDUTL_BIN ? 'etcdutl' : 'etcdctl'}; totalKey counts ${is36 ? 'live keys' : 'every bolt entry'}, and says so`, async () => {
    expect(status.totalKey).toBe(is36 ? liveKeys : status.totalKey)
    const { main } = await backupWith('with-tools', { etcdutl: true })
    expect(main.error).toBeUndefined()
    expect(main.log).toContain(`etcdctl ${ETCD_VERSION} at ${ETCDCTL_BIN}`)
    if (ETCDUTL_BIN) expect(main.log).toContain(`etcdutl ${ETCD_VERSION} at ${ETCDUTL_BIN}`)
    expect(verifiedLine(main)).toContain(`${status.totalKey} ${describeTotalKey(is36 ? 'live-keys' : 'bolt-entries')}`)
    expect(verifiedLine(main)).toContain(ETCDUTL_BIN ? 'etcdutl' : 'etcdctl')
    expect(main.outputs['total-keys']).toBe(String(status.totalKey))
    expect(main.outputs['live-keys']).toBe(String(liveKeys))
    expect(main.outputs['etcd-version']).toBe(ETCD_VERSION)
    // The member id, a random uint64 (above 2^53 but for one in 2048), survives exactly as hex.
    const manifest = JSON.parse(
      readFileSync(join(main.outputs['snapshot-file'] as string, '..', 'manifest.json'), 'utf8')
    ) as { etcd: Record<string, unknown> }
    expect(manifest.etcd['memberId']).toBe((await memberStatus(member)).memberId)
    if (ETCDUTL_BIN) expect(manifest.etcd['etcdutlVersion']).toBe(ETCD_VERSION)
    await expectSnapshotBackedUp(main)
  })

  const ctlOnly = ETCDUTL_BIN && !is36 ? it : it.skip
  ctlOnly(`etcdctl ${ETCD_VERSION} alone: its deprecated snapshot status still answers`, async () => {
    const { main } = await backupWith('ctl-only', { etcdutl: false })
    expect(main.error).toBeUndefined()
    expect(main.log).toContain('etcdutl not found; etcdctl answers snapshot status')
    expect(verifiedLine(main)).toContain(`${status.totalKey} ${describeTotalKey('bolt-entries')}`)
    expect(verifiedLine(main)).toContain('etcdctl')
    await expectSnapshotBackedUp(main)
  })

  const refused = is36 ? it : it.skip
  refused(
    `etcdctl ${ETCD_VERSION} without etcdutl: refused before the snapshot is taken, saying where status went`,
    async () => {
      const { main, outputDir } = await backupWith('ctl-only-36', { etcdutl: false })
      expect(main.error).toBe(
        `etcdctl ${ETCD_VERSION} has no 'snapshot status' (etcd 3.6 moved it to etcdutl); put etcdutl on PATH or set the etcdutl input`
      )
      expect(main.log).not.toMatch(/::group::Take the snapshot/)
      expect(filesUnder(outputDir)).toEqual([])
    }
  )
})

describe('secrets', () => {
  // Every run above is searched where it ends (in backupWith()); this one stands alone: a backup with this release's
  // tools and the TLS material given as PEM text, so the action writes credential files of its own.
  it('leaks no secret in any run of this file', async () => {
    const tls = { cacert: pki.pem('caCert'), cert: pki.pem('clientCert'), key: pki.pem('clientKey') }
    const scan = new SecretScan().addSecretInputs(tls).addPki(pki).addAgeIdentities('age identity', identityFile)
    expect(scan.size).toBeGreaterThan(1)
    const { main, post, outputDir } = await backupWith('secret-text', { etcdutl: true, inputs: tls })
    expect(main.error).toBeUndefined()
    expect(main.code).toBe(0)
    expect(filesUnder(outputDir).some(f => f.endsWith('manifest.json'))).toBe(true)
    await expectSnapshotBackedUp(main)
    scan.expectClean({ runs: { main, post }, trees: [dir] })
    secrets.expectClean({ runs: { main, post }, trees: [dir] })
  })
})
