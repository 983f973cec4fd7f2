/**
 * HashKV against the live cluster: the snapshot's hash at its revision, computed from the file, must equal what every
 * member computes (`endpoint hashkv --rev`), against a real 3-member TLS cluster.
 */
import { createHash } from 'node:crypto'
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { GrpcEtcdClient } from '../../src/etcd/client.js'
import { VerificationError } from '../../src/errors.js'
import { compareHashKV, EarlyHashKv } from '../../src/backup/cluster-check.js'
import { verifySnapshot } from '../../src/verify/index.js'
import { peekRevision } from '../../src/verify/peek.js'
import { mapSnapshot } from '../harness/bolt-layout.js'
import { startCluster, stopAll, type EtcdCluster } from '../harness/etcd.js'
import { makePki, type Pki } from '../harness/pki.js'
import { compact, currentRevision, put, seedKubernetes } from '../harness/seed.js'
import { saveSnapshot } from '../harness/snapshots.js'

const MARKER = 'hashkv-marker-value-0123456789'
let dir: string
let pki: Pki
let cluster: EtcdCluster
let etcd: GrpcEtcdClient
let snapshot: string

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cluster-check-'))
  pki = await makePki(join(dir, 'pki'))
  cluster = await startCluster(3, { pki })
  const first = cluster.members[0]!
  await seedKubernetes(first, { objects: 300, seed: 3 })
  await put(first, '/registry/configmaps/default/marker', MARKER)
  await seedKubernetes(first, { objects: 50, seed: 4 }) // later revisions overwrite keys: real history
  snapshot = join(dir, 'snap.db')
  await saveSnapshot(first, snapshot)
  etcd = new GrpcEtcdClient({
    cacertFile: pki.caCert,
    certFile: pki.clientCert,
    keyFile: pki.clientKey
  })
})

afterAll(async () => {
  await stopAll()
  rmSync(dir, { recursive: true, force: true })
})

const endpoints = (): string[] => cluster.members.map(m => m.clientUrl)

describe('compareHashKV', () => {
  it('matches every member of the cluster at the snapshot revision, even after later writes', async () => {
    const native = await verifySnapshot(snapshot)
    await put(cluster.members[1]!, '/registry/configmaps/default/after', 'written after the snapshot')
    const results = await compareHashKV(etcd, endpoints()[0]!, endpoints(), snapshot, native, 60_000)
    expect(results.map(r => r.outcome)).toEqual(['match', 'match', 'match'])
    expect(new Set(results.map(r => r.hash))).toEqual(new Set([native.hashKV?.hash]))
  })

  it('takes the answers asked early, at the revision peeked from the file, and asks again when the walk finds another', async () => {
    const native = await verifySnapshot(snapshot)
    const revision = peekRevision(snapshot)
    expect(revision).toBe(native.status.revision)
    const asked = new EarlyHashKv(etcd)
    asked.ask(endpoints(), revision!, 60_000)
    await put(cluster.members[1]!, '/registry/configmaps/default/early', 'written after HashKV was asked')
    const results = await compareHashKV(asked, endpoints()[0]!, endpoints(), snapshot, native, 60_000)
    expect(results.map(r => r.outcome)).toEqual(['match', 'match', 'match'])
    expect(new Set(results.map(r => r.hash))).toEqual(new Set([native.hashKV?.hash]))

    // Asked at a revision the walk does not confirm (a future one, which etcd refuses): those answers, failures
    // included, are left unused and unhandled-rejection free; the right revision is asked for again.
    const wrong = new EarlyHashKv(etcd)
    wrong.ask(endpoints(), native.status.revision + 1_000_000, 60_000)
    const again = await compareHashKV(wrong, endpoints()[0]!, endpoints(), snapshot, native, 60_000)
    expect(again.map(r => [r.outcome, r.hash])).toEqual(results.map(r => [r.outcome, r.hash]))
  })

  it('peeks no revision from what is not a snapshot, is cut short, or has a damaged page on the path', () => {
    const cut = join(dir, 'cut.db')
    writeFileSync(cut, readFileSync(snapshot).subarray(0, 4096 * 3))
    expect(peekRevision(cut)).toBeUndefined()
    // The key bucket's last leaf claims a huge overflow: no hint, rather than reading (and holding) that much.
    const bytes = readFileSync(snapshot)
    const layout = mapSnapshot(bytes)
    const last = layout.keyEntries.at(-1)!
    const leaf = layout.pages.get(last.page)!
    expect(leaf.kind).toBe('leaf')
    const damaged = join(dir, 'overflow.db')
    bytes.writeUInt32LE(layout.hwm - leaf.id - 1, leaf.offset + 12)
    writeFileSync(damaged, bytes)
    expect(peekRevision(damaged)).toBeUndefined()
    expect(peekRevision(join(dir, 'pki', 'ca.crt'))).toBeUndefined()
    expect(peekRevision(join(dir, 'missing.db'))).toBeUndefined()
  })

  it('fails, naming the member, when user data in the file differs from the cluster (damage under a recomputed trailer)', async () => {
    const altered = join(dir, 'altered.db')
    copyFileSync(snapshot, altered)
    const bytes = readFileSync(altered)
    // Every copy of the value is altered: bbolt leaves stale copies of rewritten leaves in free pages, and which copy
    // comes first in the file depends on the release's page allocation.
    let copies = 0
    for (let at = bytes.indexOf(MARKER); at >= 0; at = bytes.indexOf(MARKER, at + 1)) {
      bytes[at] = bytes[at]! ^ 0x20
      copies++
    }
    expect(copies).toBeGreaterThan(0)
    createHash('sha256')
      .update(bytes.subarray(0, bytes.length - 32))
      .digest()
      .copy(bytes, bytes.length - 32)
    writeFileSync(altered, bytes)
    const native = await verifySnapshot(altered)
    expect(native.valid).toBe(true) // structure, trailer and status cannot see it
    const check = compareHashKV(etcd, endpoints()[0]!, endpoints(), altered, native, 60_000)
    await expect(check).rejects.toThrow(VerificationError)
    await expect(check).rejects.toThrow(
      /^HashKV at revision \d+ differs: the snapshot's is \d+ but https:\/\/127\.0\.0\.1:\d+ says \d+/
    )
  })

  it('warns instead of failing for a member that is down, but requires the source to answer', async () => {
    const native = await verifySnapshot(snapshot)
    const down = cluster.members[2]!
    await down.stop()
    try {
      const results = await compareHashKV(etcd, endpoints()[0]!, endpoints(), snapshot, native, 60_000)
      expect(results.find(r => r.endpoint === down.clientUrl)?.outcome).toBe('unavailable')
      expect(results.filter(r => r.outcome === 'match')).toHaveLength(2)
      await expect(compareHashKV(etcd, down.clientUrl, endpoints(), snapshot, native, 60_000)).rejects.toThrow(
        /^endpoint hashkv on .* failed/
      )
    } finally {
      await down.restart()
    }
  })

  it('calls a revision compacted since the save "compacted", never a pass', async () => {
    const copy = join(dir, 'before-compaction.db')
    await saveSnapshot(cluster.members[0]!, copy)
    const native = await verifySnapshot(copy)
    await put(cluster.members[0]!, '/registry/configmaps/default/bump', 'x')
    await compact(cluster.members[0]!, await currentRevision(cluster.members[0]!), true)
    const results = await compareHashKV(etcd, endpoints()[0]!, endpoints(), copy, native, 60_000)
    // One outcome per member, each named: every() on an empty list would pass too.
    expect(results.map(r => [r.endpoint, r.outcome])).toEqual(endpoints().map(e => [e, 'compacted']))
  })
})
