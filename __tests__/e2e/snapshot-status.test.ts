/**
 * Zero false alarms, and etcd's own numbers reproduced exactly: snapshots of every shape the test etcd can make are
 * valid, `status` equals `snapshot status -w json` of the release's snapshot tool, HashKV equals `etcdctl endpoint hashkv --rev=R` of the
 * live member(s), live keys and the Kubernetes inventory equal what a range read of the member returns.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { hashKV, verifySnapshot, type KubernetesInventory, type SnapshotReport } from '../../src/verify/index.js'
import { peekRevision } from '../../src/verify/peek.js'
import { dataOf, mapSnapshot, withTrailer } from '../harness/bolt-layout.js'
import { etcdAtLeast, startCluster, startEtcd, stopAll, type EtcdMember } from '../harness/etcd.js'
import { makePki, type Pki } from '../harness/pki.js'
import {
  addRole,
  addUser,
  compact,
  currentRevision,
  deleteKeys,
  deletePrefix,
  enableAuth,
  gateway,
  grantLease,
  kubernetesEntries,
  putMany,
  readAll,
  resourceOf,
  seedKubernetes
} from '../harness/seed.js'
import { expectedToolStatus, memberHashKv, saveSnapshot, toolStatus } from '../harness/snapshots.js'

let dir: string
let pki: Pki
let member: EtcdMember
let env: Record<string, string> = {}
let shot = 0

/** etcd 3.4.34+, 3.5.16+ and 3.6 keep a tombstone at exactly the compact revision (mvcc keyIndex.compact). */
const TOMBSTONE_AT_COMPACT_KEPT = etcdAtLeast(
  etcdAtLeast('3.6.0') ? '3.6.0' : etcdAtLeast('3.5.0') ? '3.5.16' : '3.4.34'
)

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'snapshot-status-'))
  pki = await makePki(join(dir, 'pki'))
  member = await startEtcd({ pki })
})

afterAll(async () => {
  await stopAll()
  rmSync(dir, { recursive: true, force: true })
})

/** The inventory computed independently from the member's live keys. */
function expectedInventory(
  live: Map<string, Buffer>
): Pick<KubernetesInventory, 'objects' | 'resources' | 'namespaces' | 'secrets' | 'otherKeys'> {
  const resources: Record<string, number> = {}
  const namespaces: string[] = []
  let objects = 0
  let secrets = 0
  let encrypted = 0
  for (const [key, value] of live) {
    if (!key.startsWith('/registry/')) continue
    objects++
    const r = resourceOf(key)
    resources[r] = (resources[r] ?? 0) + 1
    if (r === 'namespaces') namespaces.push(key.slice('/registry/namespaces/'.length))
    if (r === 'secrets') {
      secrets++
      if (value.subarray(0, 8).toString() === 'k8s:enc:') encrypted++
    }
  }
  return {
    objects,
    resources: Object.fromEntries(Object.entries(resources).sort(([a], [b]) => (a < b ? -1 : 1))),
    namespaces: namespaces.sort(),
    secrets: { total: secrets, encrypted, plaintext: secrets - encrypted },
    otherKeys: live.size - objects
  }
}

/** Snapshot the member now and check the report against etcd's tools and the live keyspace. */
async function snapshotAndCompare(): Promise<{ file: string; report: SnapshotReport }> {
  const file = join(dir, `shot-${shot++}.db`)
  await saveSnapshot(member, file, env)
  const report = await verifySnapshot(file)
  expect(report.errors).toEqual([])
  expect(report.valid).toBe(true)
  const tool = await toolStatus(file)
  expect(tool).toEqual(expectedToolStatus(report))
  // The revision read along one path of the tree (to ask HashKV early) is etcd's; nothing when the key bucket is inline.
  const keyBucketInline = mapSnapshot(readFileSync(file)).inline.some(b => b.bucket === 'key')
  expect(peekRevision(file)).toBe(keyBucketInline ? undefined : tool.revision)
  const [live] = await memberHashKv(member, Math.max(tool.revision, 1), env)
  expect(report.hashKV?.hash).toBe(live!.hash)
  expect(report.compactRevision).toBe(live!.compactRevision)
  const keys = await readAll(member, tool.revision > 0 ? { revision: tool.revision } : {})
  expect(report.liveKeys).toBe(keys.size)
  const inv = report.kubernetes
  expect({
    objects: inv.objects,
    resources: inv.resources,
    namespaces: inv.namespaces,
    secrets: inv.secrets,
    otherKeys: inv.otherKeys
  }).toEqual(expectedInventory(keys))
  expect(report.sha256).toBe(report.dataSha256)
  return { file, report }
}

const KEYS = 900

function registryKeys(every: number, limit: number): string[] {
  const keys: string[] = []
  let n = 0
  for (const [k] of kubernetesEntries({ objects: KEYS, namespaces: 6 }))
    if (n++ % every === 0 && keys.length < limit) keys.push(k)
  return keys
}

describe('snapshots of a live member, shape by shape', () => {
  it('a fresh member', async () => {
    const { report } = await snapshotAndCompare()
    expect(report.status.revision).toBe(0)
    expect(report.liveKeys).toBe(0)
    expect(report.members).toBe(1)
  })

  it('Kubernetes objects with Secrets encrypted at rest', async () => {
    const seeded = await seedKubernetes(member, { objects: KEYS, namespaces: 6, encryptSecrets: true })
    const { report } = await snapshotAndCompare()
    expect(report.kubernetes.resources).toEqual(
      Object.fromEntries(Object.entries(seeded.byResource).sort(([a], [b]) => (a < b ? -1 : 1)))
    )
    expect(report.kubernetes.namespaces).toEqual([...seeded.namespaces].sort())
    expect(report.kubernetes.secrets.encrypted).toBe(seeded.byResource.secrets)
    expect(report.kubernetes.secrets.plaintext).toBe(0)
    expect(report.warnings).toEqual([])
  })

  it('history: updates, deletes and re-creations in multi-key transactions', async () => {
    const keys = registryKeys(3, 250)
    await putMany(
      member,
      keys.map(k => [k, `second ${k}`] as const)
    )
    await putMany(
      member,
      keys.slice(0, 100).map(k => [k, `third ${k}`] as const)
    )
    await deleteKeys(member, keys.slice(100, 160))
    await putMany(
      member,
      keys.slice(120, 140).map(k => [k, `again ${k}`] as const)
    )
    await deletePrefix(member, '/registry/events/')
    const { report } = await snapshotAndCompare()
    expect(report.keyRevisions).toBeGreaterThan(report.liveKeys)
    // Rewritten secrets are now plain text: the inventory tracks the newest value of each key.
    expect(report.kubernetes.secrets.plaintext).toBeGreaterThan(0)
    expect(report.warnings.join('\n')).toMatch(/Secrets are stored unencrypted/)
  })

  it('HashKV at an older revision', async () => {
    const file = join(dir, `shot-${shot++}.db`)
    const old = await currentRevision(member)
    await putMany(
      member,
      registryKeys(7, 60).map(k => [k, `newer ${k}`] as const)
    )
    await saveSnapshot(member, file, env)
    const [live] = await memberHashKv(member, old, env)
    const ours = await hashKV(file, old)
    expect(ours).toEqual({ hash: live!.hash, revision: old, compactRevision: -1 })
  })

  it('compacted, with history before and after the compaction', async () => {
    const keys = registryKeys(4, 200)
    await putMany(
      member,
      keys.slice(0, 80).map(k => [k, `pre ${k}`] as const)
    )
    const at = await currentRevision(member)
    await compact(member, at, true)
    await putMany(
      member,
      keys.slice(0, 30).map(k => [k, `post ${k}`] as const)
    )
    await deleteKeys(member, keys.slice(30, 50))
    await putMany(
      member,
      keys.slice(150, 170).map(k => [k, `post ${k}`] as const)
    )
    const { file, report } = await snapshotAndCompare()
    expect(report.compactRevision).toBe(at)
    expect(report.compactionFinished).toBe(true)
    const snap = readFileSync(file)
    const layout = mapSnapshot(snap)
    expect(layout.keyEntries.some(e => e.main <= at)).toBe(true)
    // HashKV between the compaction and the snapshot's revision.
    const between = at + 2
    const [old] = await memberHashKv(member, between, env)
    expect(await hashKV(file, between)).toEqual({ hash: old!.hash, revision: between, compactRevision: at })

    // The same snapshot as if taken while the backend was still deleting compacted revisions (finishedCompactRev
    // behind scheduledCompactRev): the verifier then tracks every key, and must reach the same numbers.
    const meta = layout.inline.find(b => b.bucket === 'meta')!
    const finished = meta.elements.find(
      e => snap.subarray(e.key, e.key + e.keyLen).toString() === 'finishedCompactRev'
    )!
    const d = Buffer.from(dataOf(snap))
    d.writeBigUInt64BE(BigInt(at - 3), finished.value)
    const running = join(dir, `shot-${shot++}.db`)
    writeFileSync(running, withTrailer(d))
    const r = await verifySnapshot(running)
    expect(r.errors).toEqual([])
    expect(r.compactionFinished).toBe(false)
    expect(r.hashKV).toEqual(report.hashKV)
    expect(r.liveKeys).toBe(report.liveKeys)
    expect(r.kubernetes).toEqual(report.kubernetes)
    expect(await hashKV(running, between)).toEqual({ hash: old!.hash, revision: between, compactRevision: at })
  })

  it('compacted again right before the save (compaction possibly still running)', async () => {
    await putMany(
      member,
      registryKeys(5, 100).map(k => [k, `late ${k}`] as const)
    )
    await compact(member, await currentRevision(member), false)
    await putMany(
      member,
      registryKeys(9, 40).map(k => [k, `later ${k}`] as const)
    )
    await snapshotAndCompare()
  })

  it('a compaction that lands on a delete: the tombstone at the compact revision', async () => {
    const keys = registryKeys(11, 30)
    await putMany(
      member,
      keys.map(k => [k, `doomed ${k}`] as const)
    )
    const { revision: at } = await deleteKeys(member, keys.slice(0, 10))
    await compact(member, at, true)
    await putMany(
      member,
      keys.slice(5, 8).map(k => [k, `reborn ${k}`] as const)
    )
    const { file, report } = await snapshotAndCompare()
    expect(report.compactRevision).toBe(at)
    expect(report.compactionFinished).toBe(true)
    // etcd 3.4.34+, 3.5.16+ and 3.6 keep the tombstones at exactly the compact revision; older releases remove them.
    const kept = mapSnapshot(readFileSync(file)).keyEntries.filter(e => e.main === at && e.tombstone).length
    expect(kept).toBe(TOMBSTONE_AT_COMPACT_KEPT ? 10 : 0)
    const [live] = await memberHashKv(member, at + 1, env)
    expect(await hashKV(file, at + 1)).toEqual({ hash: live!.hash, revision: at + 1, compactRevision: at })
  })

  it('a tombstone below the compact revision is still refused', async () => {
    const keys = registryKeys(13, 20)
    await putMany(
      member,
      keys.map(k => [k, `short-lived ${k}`] as const)
    )
    // Compacted before the delete, so every release keeps the tombstones (above the compact revision).
    await compact(member, await currentRevision(member), true)
    const { revision: at } = await deleteKeys(member, keys.slice(0, 4))
    await putMany(member, [['/after-the-delete', 'x']])
    const file = join(dir, `shot-${shot++}.db`)
    await saveSnapshot(member, file, env)
    expect((await verifySnapshot(file)).valid).toBe(true)
    // The same snapshot claiming a finished compaction one revision after the delete: the tombstones are below it.
    const snap = readFileSync(file)
    const meta = mapSnapshot(snap).inline.find(b => b.bucket === 'meta')!
    const d = Buffer.from(dataOf(snap))
    for (const name of ['scheduledCompactRev', 'finishedCompactRev']) {
      const e = meta.elements.find(el => snap.subarray(el.key, el.key + el.keyLen).toString() === name)!
      d.writeBigUInt64BE(BigInt(at + 1), e.value)
    }
    const moved = join(dir, `shot-${shot++}.db`)
    writeFileSync(moved, withTrailer(d))
    const r = await verifySnapshot(moved)
    expect(r.valid).toBe(false)
    expect(r.errors.join('\n')).toMatch(
      new RegExp(`tombstone ${at}_\\d+ should have been removed by the finished compaction at ${at + 1}`)
    )
  })

  // Nothing live: etcd's keep is empty and filters nothing, but still skips the tombstones at the compact revision.
  // The key bucket inline (one key) and on pages of its own (many keys: the verifier's split mode).
  it.each([1, 300])(
    'a fresh member whose %i keys were deleted at the compact revision (nothing live, keep empty)',
    async count => {
      const solo = await startEtcd({ name: 'solo' })
      const keys = Array.from({ length: count }, (_, i) => `/gone/${String(i).padStart(4, '0')}`)
      await putMany(
        solo,
        keys.map(k => [k, `${k} `.repeat(8)] as const)
      )
      const { revision: at } = await deleteKeys(solo, keys)
      await compact(solo, at, true)
      // A key written and deleted after the compaction: the snapshot's revision is then above the compact revision.
      await putMany(solo, [['/later', 'two']])
      const { revision } = await deleteKeys(solo, ['/later'])
      const file = join(dir, `shot-${shot++}.db`)
      await saveSnapshot(solo, file)
      const report = await verifySnapshot(file)
      expect(report.errors).toEqual([])
      expect(report.valid).toBe(true)
      expect(report.liveKeys).toBe(0)
      expect(await toolStatus(file)).toEqual(expectedToolStatus(report))
      const layout = mapSnapshot(readFileSync(file))
      // Where the release removed the tombstones (3.4.31), the bucket shrinks to the two entries after them: inline.
      expect(layout.inline.some(b => b.bucket === 'key')).toBe(count === 1 || !TOMBSTONE_AT_COMPACT_KEPT)
      expect(layout.keyEntries.some(e => e.main === at && e.tombstone)).toBe(TOMBSTONE_AT_COMPACT_KEPT)
      const [live] = await memberHashKv(solo, revision)
      expect(live!.compactRevision).toBe(at)
      expect(report.hashKV).toEqual({ hash: live!.hash, revision, compactRevision: at })
      await solo.stop()
    }
  )

  it('keys with leases, a revoked lease, and a lease bucket on its own pages', async () => {
    const leases = []
    for (let i = 0; i < 150; i++) leases.push(await grantLease(member, 600 + i))
    await putMany(
      member,
      Array.from({ length: 30 }, (_, i) => [`/leases/held/${i}`, `v${i}`] as const),
      { lease: leases[0]!.id }
    )
    await putMany(
      member,
      Array.from({ length: 10 }, (_, i) => [`/leases/revoked/${i}`, `v${i}`] as const),
      { lease: leases[1]!.id }
    )
    await gateway(member, '/v3/lease/revoke', { ID: leases[1]!.id })
    const { report } = await snapshotAndCompare()
    expect(report.leases).toBe(149)
  })

  it('large values spread over overflow pages', async () => {
    await putMany(member, [
      ['/large/one', Buffer.alloc(1_200_000, 1)],
      ['/large/two', Buffer.alloc(300_000, 2)]
    ])
    await putMany(member, [['/large/one', Buffer.alloc(900_000, 3)]])
    const { file } = await snapshotAndCompare()
    const layout = mapSnapshot(readFileSync(file))
    expect([...layout.pages.values()].some(p => p.overflow > 100)).toBe(true)
  })

  it('after the member compacts past the save, HashKV with its compact revision still matches', async () => {
    const file = join(dir, `shot-${shot++}.db`)
    // One key written twice: the first write is what a compaction between the two removes from HashKV.
    await putMany(member, [['/twice', 'first']])
    await putMany(member, [['/twice', 'second']])
    await saveSnapshot(member, file, env)
    const revision = (await toolStatus(file)).revision
    await putMany(
      member,
      registryKeys(6, 50).map(k => [k, `after save ${k}`] as const)
    )
    await compact(member, revision - 1, true)
    const [live] = await memberHashKv(member, revision, env)
    expect(live!.compactRevision).toBe(revision - 1)
    const ours = await hashKV(file, revision, { compactRevision: live!.compactRevision })
    expect(ours.hash).toBe(live!.hash)
    // With the snapshot's own (older) compact revision the first write still counts: the comparison needs the
    // member's compact revision when it has compacted since the save.
    expect((await verifySnapshot(file)).hashKV?.hash).not.toBe(live!.hash)
  })

  it('auth enabled, with users and roles', async () => {
    await addRole(member, 'readers', { prefix: '/registry/', type: 'READ' })
    await addRole(member, 'writers', { prefix: '/leases/', type: 'READWRITE' })
    await addUser(member, 'alice', 'alice-password', ['readers'])
    await addUser(member, 'bob', 'bob-password', ['readers', 'writers'])
    await enableAuth(member, 'root-password')
    env = { ETCDCTL_USER: 'root', ETCDCTL_PASSWORD: 'root-password' }
    const { report } = await snapshotAndCompare()
    expect(report.authEnabled).toBe(true)
  })

  it('required keys and a minimum key count decide validity', async () => {
    const file = join(dir, `shot-${shot++}.db`)
    await saveSnapshot(member, file, env)
    const ok = await verifySnapshot(file, {
      requiredKeys: ['/registry/namespaces/kube-system', '/leases/held/'],
      minKeys: 10
    })
    expect(ok.valid).toBe(true)
    expect(ok.requiredKeys).toEqual([
      { prefix: '/registry/namespaces/kube-system', liveKeys: 1 },
      { prefix: '/leases/held/', liveKeys: 30 }
    ])
    const missing = await verifySnapshot(file, {
      requiredKeys: ['/registry/namespaces/kube-system', '/registry/namespaces/missing']
    })
    expect(missing.valid).toBe(false)
    expect(missing.errors).toEqual(['no live key under required prefix "/registry/namespaces/missing"'])
    const few = await verifySnapshot(file, { minKeys: ok.liveKeys + 1 })
    expect(few.errors).toEqual([
      `snapshot holds ${ok.liveKeys} live keys, fewer than the minimum ${ok.liveKeys + 1}; is this the right cluster?`
    ])
  })
})

describe('a restored member and a cluster', () => {
  it('a member restored from a snapshot makes a valid snapshot with the same keyspace', async () => {
    const source = join(dir, `shot-${shot++}.db`)
    await saveSnapshot(member, source, env)
    const before = await verifySnapshot(source)
    const restored = await startEtcd({ pki, name: 'restored', restoreFrom: source })
    const file = join(dir, `shot-${shot++}.db`)
    await saveSnapshot(restored, file, env)
    const after = await verifySnapshot(file)
    expect(after.errors).toEqual([])
    expect(after.status.revision).toBe(before.status.revision)
    expect(after.hashKV?.hash).toBe(before.hashKV?.hash)
    expect(after.liveKeys).toBe(before.liveKeys)
    const [live] = await memberHashKv(restored, after.status.revision, env)
    expect(after.hashKV?.hash).toBe(live!.hash)
    await restored.stop()
  })

  it('every member of a three-member cluster agrees with the HashKV of a snapshot from one of them', async () => {
    const cluster = await startCluster(3, { pki })
    const [first] = cluster.members
    await seedKubernetes(first!, { objects: 400, namespaces: 4, seed: 3 })
    await deleteKeys(first!, [...(await readAll(first!, { prefix: '/registry/pods/' })).keys()].slice(0, 20))
    const file = join(dir, `shot-${shot++}.db`)
    await saveSnapshot(first!, file)
    const report = await verifySnapshot(file)
    expect(report.errors).toEqual([])
    expect(report.members).toBe(3)
    const endpoints = cluster.members.map(m => m.clientUrl).join(',')
    const all = await memberHashKv(first!, report.status.revision, { ETCDCTL_ENDPOINTS: endpoints })
    expect(all).toHaveLength(3)
    for (const m of all)
      expect({ endpoint: m.endpoint, hash: m.hash }).toEqual({ endpoint: m.endpoint, hash: report.hashKV?.hash })
    await cluster.stop()
  })
})
