/**
 * What differs between etcd 3.4, 3.5 and 3.6, shown with the real binaries of the release under test (ETCD_BIN_DIR;
 * `scripts/dev.sh test` runs this file once per pinned release): etcd's own `snapshot status` and HashKV against the
 * native verifier's, the revision bump on restore, what a learner serves, and a backup restored by the next minor's
 * etcdutl.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createHash } from 'node:crypto'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { run as cli } from '../../src/cli/index.js'
import { offlineHashKv } from '../../src/etcd/offline-hashkv.js'
import { verifySnapshot, type SnapshotReport } from '../../src/verify/index.js'
import { peekHasLeases } from '../../src/verify/peek.js'
import { grantLease, putMany } from '../harness/etcd-client.js'
import { runAction } from '../harness/action-runner.js'
import {
  addLearner,
  ETCD_VERSION,
  ETCDCTL_BIN,
  ETCDUTL_BIN,
  etcdAtLeast,
  etcdctl,
  memberStatus,
  RESTORE_CAN_BUMP,
  startCluster,
  startEtcd,
  stopAll,
  type EtcdCluster,
  type EtcdMember
} from '../harness/etcd.js'
import { makePki, type Pki } from '../harness/pki.js'
import { compact, currentRevision, deleteKeys, put, readAll, seedKubernetes } from '../harness/seed.js'
import { memberHashKv, saveSnapshot, toolStatus } from '../harness/snapshots.js'

const ROOT = join(import.meta.dirname, '../..')
const minor = ETCD_VERSION.split('.').slice(0, 2).join('.')
const is36 = etcdAtLeast('3.6.0')
/** Only 3.6's etcdutl has `hashkv`. */
const offline = is36 ? it : it.skip

let dir: string
let pki: Pki
let cluster: EtcdCluster
let leader: EtcdMember
let snapshot: string
let native: SnapshotReport
let compactedAt: number

const sha256 = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex')

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'etcd-versions-'))
  pki = await makePki(join(dir, 'pki'))
  cluster = await startCluster(3, { pki })
  leader = await cluster.leader()
  await seedKubernetes(leader, { objects: 300, seed: 11 })
  // Overwrites, a deletion and a compaction, so "every bolt entry" and "live keys" differ and HashKV has a compact
  // revision to honour, as on a real cluster.
  for (let i = 0; i < 20; i++) await put(leader, '/registry/leases/kube-node-lease/node-1', `renewal ${i}`)
  compactedAt = await currentRevision(leader)
  await deleteKeys(leader, ['/registry/leases/kube-node-lease/node-1'])
  await put(leader, '/registry/leases/kube-node-lease/node-2', 'renewal 0')
  await compact(leader, compactedAt)
  snapshot = join(dir, 'snapshot.db')
  await saveSnapshot(leader, snapshot)
  native = await verifySnapshot(snapshot)
  expect(native.valid).toBe(true)
})

afterAll(async () => {
  await stopAll()
  rmSync(dir, { recursive: true, force: true })
})

describe(`etcd ${ETCD_VERSION}: snapshot status`, () => {
  it(`the native status equals ${ETCDUTL_BIN ? 'etcdutl' : 'etcdctl'}'s on hash, revision, totalKey and totalSize`, async () => {
    const theirs = await toolStatus(snapshot)
    expect(native.liveKeys).toBeLessThan(native.status.totalKey)
    expect(theirs).toMatchObject({
      hash: native.status.hash,
      revision: native.status.revision,
      // 3.6's etcdutl counts live keys; 3.4 and 3.5 count every entry of every bolt bucket.
      totalKey: is36 ? native.liveKeys : native.status.totalKey,
      totalSize: native.status.totalSize
    })
  })

  it(
    is36 ? "etcdctl 3.6 has no 'snapshot status': it prints its help" : 'etcdctl still answers snapshot status',
    async () => {
      const r = await etcdctl({ etcdctlEnv: {} }, ['snapshot', 'status', '-w', 'json', snapshot])
      if (is36) {
        // Exit 0 all the same, which is why the action refuses etcdctl 3.6 without etcdutl up front.
        expect(r.stdout).not.toMatch(/^\{/m)
        expect(r.stdout).toMatch(/snapshot save/)
      } else {
        expect(r.code).toBe(0)
        expect(JSON.parse(r.stdout)).toMatchObject({ hash: native.status.hash, totalKey: native.status.totalKey })
        if (ETCDUTL_BIN) expect(r.stderr).toMatch(/Deprecated: Use `etcdutl snapshot status` instead/)
      }
    }
  )
})

describe(`etcd ${ETCD_VERSION}: HashKV`, () => {
  it('the native HashKV equals every member’s endpoint hashkv at the snapshot’s revision', async () => {
    expect(native.hashKV).toMatchObject({ revision: native.status.revision, compactRevision: compactedAt })
    const answers = await memberHashKv({ etcdctlEnv: cluster.etcdctlEnv }, native.status.revision)
    expect(answers).toHaveLength(3)
    for (const a of answers) expect(a).toMatchObject({ hash: native.hashKV?.hash, compactRevision: compactedAt })
  })

  offline("etcdutl 3.6's offline hashkv agrees, and writes to the file it reads (so only ever give it a copy)", () => {
    const copy = join(dir, 'hashkv-copy.db')
    copyFileSync(snapshot, copy)
    const before = sha256(copy)
    const out = execFileSync(ETCDUTL_BIN as string, ['hashkv', copy, `--rev=${native.status.revision}`, '-w', 'json'], {
      encoding: 'utf8'
    })
    expect(JSON.parse(out)).toEqual({
      hash: native.hashKV?.hash,
      hashRevision: native.status.revision,
      compactRevision: compactedAt
    })
    // It opens the database read-write: bbolt commits a transaction, so the copy no longer matches its trailer.
    expect(sha256(copy)).not.toBe(before)
  })

  it(`the backup gate's third opinion: ${is36 ? "etcdutl's offline hashkv of a copy, the file untouched" : 'none before etcdutl 3.6'}`, async () => {
    const before = sha256(snapshot)
    const tools = {
      etcdctl: { path: ETCDCTL_BIN, version: ETCD_VERSION },
      ...(ETCDUTL_BIN ? { etcdutl: { path: ETCDUTL_BIN, version: ETCD_VERSION } } : {})
    }
    const third = await offlineHashKv(tools, snapshot, 60_000)
    if (is36) {
      expect(third).toEqual({
        hash: native.hashKV?.hash,
        hashRevision: native.status.revision,
        compactRevision: compactedAt,
        tool: `etcdutl ${ETCD_VERSION}`
      })
    } else {
      expect(third).toBeUndefined()
    }
    expect(sha256(snapshot)).toBe(before)
    expect(existsSync(`${snapshot}.hashkv`)).toBe(false)
  })
})

describe(`etcd ${ETCD_VERSION}: a snapshot that holds a lease, as every Kubernetes snapshot does`, () => {
  let leased: string
  beforeAll(async () => {
    const lease = await grantLease(leader, 3600)
    await putMany(leader, [['/registry/events/default/pod-1.17a2b3c4d5e6f708', 'an event']], { lease: lease.id })
    leased = join(dir, 'leased.db')
    await saveSnapshot(leader, leased)
  })

  it('the lease bucket tells it from the snapshot without one', () => {
    expect(peekHasLeases(leased)).toBe(true)
    expect(peekHasLeases(snapshot)).toBe(false)
  })

  offline("etcdutl 3.6's hashkv reads the whole keyspace and then panics on it (etcd-io/etcd#21105)", () => {
    const copy = join(dir, 'leased-copy.db')
    copyFileSync(leased, copy)
    const r = spawnSync(ETCDUTL_BIN as string, ['hashkv', copy, '-w', 'json'], { encoding: 'utf8' })
    expect(r.status).not.toBe(0)
    expect(r.stderr).toMatch(/panic: no lessor to attach lease/)
  })

  offline('so the gate does not run it: no copy, no read, no opinion', async () => {
    // etcdutl wrapped to note each run, so a run the gate should not make shows even though its panic is tolerated.
    const runs = join(dir, 'etcdutl-runs')
    const wrapper = join(dir, 'etcdutl-counting')
    writeFileSync(wrapper, `#!/bin/sh\necho "$*" >> ${runs}\nexec ${ETCDUTL_BIN} "$@"\n`, { mode: 0o755 })
    const tools = {
      etcdctl: { path: ETCDCTL_BIN, version: ETCD_VERSION },
      etcdutl: { path: wrapper, version: ETCD_VERSION }
    }
    await expect(offlineHashKv(tools, leased, 60_000)).resolves.toBeUndefined()
    expect(existsSync(runs)).toBe(false)
    await expect(offlineHashKv(tools, snapshot, 60_000)).resolves.toMatchObject({ hash: native.hashKV?.hash })
    expect(readFileSync(runs, 'utf8')).toMatch(/^hashkv /)
  })
})

describe(`etcd ${ETCD_VERSION}: restore`, () => {
  const bump = RESTORE_CAN_BUMP ? it : it.skip
  bump('--bump-revision 1000000000 --mark-compacted boots and serves at the revision + 1e9', async () => {
    const restored = await startEtcd({
      restoreFrom: snapshot,
      restoreArgs: ['--bump-revision=1000000000', '--mark-compacted'],
      name: 'bumped'
    })
    expect((await memberStatus(restored)).revision).toBe(native.status.revision + 1_000_000_000)
    expect((await readAll(restored)).size).toBe(native.liveKeys)
    // The old revisions are compacted: a watcher from before the restore is told so instead of missing events.
    const old = await etcdctl(restored, [
      'get',
      '/registry/',
      '--prefix',
      '--keys-only',
      `--rev=${native.status.revision}`
    ])
    expect(old.stderr).toMatch(/required revision has been compacted/)
    expect(await put(restored, '/after-restore', 'x')).toBe(native.status.revision + 1_000_000_001)
    await restored.stop()
  })
})

describe(`etcd ${ETCD_VERSION}: learners`, () => {
  it('a learner streams a snapshot but refuses HashKV and linearizable reads', async () => {
    const learner = await addLearner(cluster)
    expect((await memberStatus(learner)).isLearner).toBe(true)
    const at = [`--endpoints=${learner.clientUrl}`]
    const save = await etcdctl(learner, [...at, 'snapshot', 'save', join(dir, 'from-learner.db')])
    const hashkv = await etcdctl(learner, [...at, 'endpoint', 'hashkv', '-w', 'json'])
    const get = await etcdctl(learner, [...at, 'get', '/registry/', '--prefix', '--keys-only', '--limit=1'])
    expect({ save: save.code, hashkv: hashkv.code, get: get.code }).toEqual({ save: 0, hashkv: 1, get: 1 })
    expect(hashkv.stderr).toMatch(/rpc not supported for learner/)
    expect(get.stderr).toMatch(/rpc not supported for learner/)
  })
})

/** The next pinned minor after this release's, and its directory (built by scripts/dev.sh the first time). */
function nextRelease(): { minor: string; dir: string } | undefined {
  const pins = readFileSync(join(ROOT, 'scripts/etcd/versions'), 'utf8')
  const minors = pins
    .split('\n')
    .filter(l => /^\d/.test(l))
    .map(l => l.split(/\s+/)[0] as string)
  const next = minors.find(m => Number(m.split('.')[1]) > Number(minor.split('.')[1]))
  if (!next) return undefined
  const path = execFileSync(join(ROOT, 'scripts/dev.sh'), ['etcd-path', next], { encoding: 'utf8' }).trim()
  return { minor: next, dir: path }
}

describe(`etcd ${ETCD_VERSION}: a backup restored by the next minor`, () => {
  const next = minor === '3.6' ? undefined : nextRelease()
  const across = next ? it : it.skip
  across(
    `the action's backup from ${minor} is restored by etcdutl ${next?.minor ?? '(none newer)'} and served`,
    async () => {
      const source = await readAll(leader)
      const identity = join(dir, 'key.txt')
      execFileSync('age-keygen', ['-o', identity], { stdio: 'ignore' })
      const recipient = execFileSync('age-keygen', ['-y', identity], { encoding: 'utf8' }).trim()
      const outputDir = mkdtempSync(join(dir, 'out-'))
      const { main } = await runAction({
        inputs: {
          endpoints: leader.clientUrl,
          cacert: pki.caCert,
          cert: pki.clientCert,
          key: pki.clientKey,
          recipients: recipient,
          upload: 'false',
          'output-dir': outputDir,
          'artifact-name': 'across'
        }
      })
      expect(main.error).toBeUndefined()
      expect(main.outputs['etcd-version']).toBe(ETCD_VERSION)
      const dataDir = join(dir, 'across.etcd')
      let stderr = ''
      const code = await cli(
        [
          'restore',
          main.outputs['snapshot-file'] as string,
          '--identity',
          identity,
          '--data-dir',
          dataDir,
          '--etcdctl',
          join(next!.dir, 'etcdctl'),
          '--etcdutl',
          join(next!.dir, 'etcdutl')
        ],
        { stdout: { write: () => undefined }, stderr: { write: (t: string) => (stderr += t) } }
      )
      expect({ code, stderr }).toMatchObject({ code: 0 })
      const restored = await startEtcd({ dataDir, etcdBin: join(next!.dir, 'etcd') })
      expect((await memberStatus(restored)).version.startsWith(`${next!.minor}.`)).toBe(true)
      const got = await readAll(restored)
      expect(got.size).toBe(source.size)
      for (const [key, value] of source) expect(got.get(key)?.equals(value)).toBe(true)
      await restored.stop()
    }
  )
})

test('etcdctl is of the same release as the server', () => {
  expect(execFileSync(ETCDCTL_BIN, ['version'], { encoding: 'utf8' })).toContain(`etcdctl version: ${ETCD_VERSION}`)
})
