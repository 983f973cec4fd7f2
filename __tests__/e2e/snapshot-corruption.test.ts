/**
 * The corruption suite: damage of every kind, generated from a real snapshot of a real etcd, must be rejected —
 * with the original trailer (damage after etcd hashed the file) and with a recomputed trailer (damage before it
 * hashed, which no checksum can see). The only damage a structure check cannot see is damage to user data (values,
 * or the key/metadata of a compacted survivor) and to bytes nothing reads (free pages, page slack); for the first,
 * HashKV must differ from the live member's, and the second must leave every number unchanged.
 */
import { createHash, randomBytes } from 'node:crypto'
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { verifySnapshot, type SnapshotReport } from '../../src/verify/index.js'
import {
  dataOf,
  fixMetaChecksum,
  mapSnapshot,
  withTrailer,
  TRAILER,
  type KeyEntry,
  type Layout,
  type TreePage
} from '../harness/bolt-layout.js'
import { startEtcd, stopAll, type EtcdMember } from '../harness/etcd.js'
import { makePki } from '../harness/pki.js'
import {
  addRole,
  addUser,
  compact,
  currentRevision,
  deleteKeys,
  gateway,
  grantLease,
  kubernetesEntries,
  putMany,
  seedKubernetes
} from '../harness/seed.js'
import { expectedToolStatus, memberHashKv, saveSnapshot, toolStatus, type ToolStatus } from '../harness/snapshots.js'

let dir: string
let member: EtcdMember
let snapshot: Buffer
let data: Buffer
let trailer: Buffer
let layout: Layout
let liveHash: number
let original: SnapshotReport
let reference: ToolStatus
let memberDbCopy: string

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'snapshot-corruption-'))
  const pki = await makePki(join(dir, 'pki'))
  member = await startEtcd({ pki })
  const objects = 800
  await seedKubernetes(member, { objects, namespaces: 6 })
  // History before the compaction: updates (several versions) and deletes.
  const keys: string[] = []
  let n = 0
  for (const [k] of kubernetesEntries({ objects, namespaces: 6 })) if (n++ % 5 === 0) keys.push(k)
  await putMany(
    member,
    keys.slice(0, 150).map(k => [k, `v2 of ${k}`] as const)
  )
  await putMany(
    member,
    keys.slice(0, 60).map(k => [k, `v3 of ${k}`] as const)
  )
  await deleteKeys(member, keys.slice(150, 190))
  await compact(member, await currentRevision(member), true)
  // After it: updates of survivors, deletes, re-creations, new keys, leases, large values, users and roles.
  await putMany(
    member,
    keys.slice(0, 40).map(k => [k, `after compaction ${k}`] as const)
  )
  await deleteKeys(member, keys.slice(40, 60))
  await putMany(
    member,
    keys.slice(150, 160).map(k => [k, `recreated ${k}`] as const)
  )
  const leases = []
  for (let i = 0; i < 120; i++) leases.push(await grantLease(member, 3600 + i))
  await putMany(
    member,
    Array.from({ length: 20 }, (_, i) => [`/leased/${i}`, `l${i}`] as const),
    { lease: leases[0]!.id }
  )
  await putMany(
    member,
    Array.from({ length: 5 }, (_, i) => [`/leased-revoked/${i}`, 'x'] as const),
    { lease: leases[1]!.id }
  )
  await gateway(member, '/v3/lease/revoke', { ID: leases[1]!.id })
  await putMany(member, [
    ['/big/a', randomBytes(300_000)],
    ['/big/b', Buffer.alloc(700_000, 7)]
  ])
  await addRole(member, 'reader', { prefix: '/registry/', type: 'READ' })
  await addUser(member, 'alice', 'secret', ['reader'])
  const file = join(dir, 'snap.db')
  await saveSnapshot(member, file)
  reference = await toolStatus(file)
  liveHash = (await memberHashKv(member, reference.revision))[0]!.hash
  memberDbCopy = join(dir, 'member-db')
  copyFileSync(join(member.dataDir, 'member', 'snap', 'db'), memberDbCopy)
  await stopAll()
  snapshot = readFileSync(file)
  data = Buffer.from(dataOf(snapshot))
  trailer = snapshot.subarray(snapshot.length - TRAILER)
  layout = mapSnapshot(snapshot)
  original = await verifySnapshot(file)
})

afterAll(async () => {
  await stopAll()
  rmSync(dir, { recursive: true, force: true })
})

let counter = 0
async function verifyBytes(bytes: Buffer): Promise<SnapshotReport> {
  const file = join(dir, `case-${counter++}.db`)
  writeFileSync(file, bytes)
  try {
    return await verifySnapshot(file)
  } finally {
    rmSync(file, { force: true })
  }
}

type Expectation = 'invalid' | 'hashkv-differs' | 'harmless'

interface Damage {
  name: string
  /** Change the data part (without trailer) in place. */
  apply(d: Buffer): void
  /** Outcome with a recomputed trailer (with the original trailer every damage is invalid). */
  expect: Expectation
}

function flip(at: number, mask = 0x01): (d: Buffer) => void {
  return d => {
    d[at]! ^= mask
  }
}

/** Check each damage with both trailers; returns the failures as readable lines. */
async function judge(damages: Damage[], trailers: 'both' | 'recomputed' = 'both'): Promise<string[]> {
  const failures: string[] = []
  for (const dmg of damages) {
    const d = Buffer.from(data)
    dmg.apply(d)
    if (d.equals(data)) {
      failures.push(`${dmg.name}: the damage changed nothing (bad test target)`)
      continue
    }
    for (const recomputed of trailers === 'both' ? [false, true] : [true]) {
      const label = `${dmg.name} (${recomputed ? 'recomputed' : 'original'} trailer)`
      let r: SnapshotReport
      try {
        r = await verifyBytes(recomputed ? withTrailer(d) : Buffer.concat([d, trailer]))
      } catch (e: unknown) {
        failures.push(`${label}: threw ${String(e)}`)
        continue
      }
      if (r.errors.some(e => e.includes('internal error'))) failures.push(`${label}: ${r.errors[0]}`)
      const want: Expectation = recomputed ? dmg.expect : 'invalid'
      if (want === 'invalid') {
        if (r.valid || r.errors.length === 0) failures.push(`${label}: accepted`)
        else if (!recomputed && !r.errors.some(e => e.startsWith('sha256 mismatch')))
          failures.push(`${label}: no sha256 error`)
        else if (recomputed && !/page \d+|meta page \d|byte \d+/.test(r.errors[0]!))
          failures.push(`${label}: headline does not say where: ${r.errors[0]}`)
      } else if (want === 'hashkv-differs') {
        if (!r.valid) failures.push(`${label}: rejected user-data damage the structure cannot show: ${r.errors[0]}`)
        else if (r.hashKV?.hash === liveHash) failures.push(`${label}: HashKV still equals the live member's`)
      } else {
        if (!r.valid) failures.push(`${label}: rejected harmless damage: ${r.errors[0]}`)
        else if (r.hashKV?.hash !== liveHash || r.status.hash !== original.status.hash)
          failures.push(`${label}: numbers changed`)
      }
    }
  }
  return failures
}

function treePages(pred: (p: TreePage) => boolean): TreePage[] {
  return [...layout.pages.values()].filter(pred)
}

function pick<T>(list: T[], what: string): T {
  if (list.length === 0) throw new Error(`the test snapshot has no ${what}`)
  return list[Math.floor(list.length / 2)]!
}

describe('the test snapshot', () => {
  it('is valid, agrees with the snapshot tool and the member, and covers every structure the suite damages', () => {
    expect(original.errors).toEqual([])
    expect(original.valid).toBe(true)
    expect(reference).toEqual(expectedToolStatus(original))
    expect(original.hashKV?.hash).toBe(liveHash)
    expect(layout.compactRevision).toBeGreaterThan(0)
    expect(layout.free.length).toBeGreaterThan(0)
    expect(treePages(p => p.bucket === 'key' && p.kind === 'branch').length).toBeGreaterThan(0)
    expect(treePages(p => p.overflow > 0).length).toBeGreaterThan(0)
    expect(treePages(p => p.bucket === 'lease').length).toBeGreaterThan(0)
    expect(layout.inline.map(b => b.bucket)).toEqual(expect.arrayContaining(['meta', 'members', 'cluster', 'auth']))
  })
})

describe('file-level damage', () => {
  it('rejects every truncation', async () => {
    const ps = layout.pageSize
    const cuts: [string, number][] = [
      ['to the first page', ps],
      ['to both meta pages', 2 * ps],
      ['to half', Math.floor(snapshot.length / 2)],
      ['mid-page', 7 * ps + 1000],
      ['inside the last page', snapshot.length - TRAILER - 100],
      ['the last page', snapshot.length - TRAILER - ps],
      ['one trailer byte', snapshot.length - 1],
      ['the whole trailer', snapshot.length - TRAILER]
    ]
    for (const [what, size] of cuts) {
      const r = await verifyBytes(snapshot.subarray(0, size))
      expect({ what, valid: r.valid }).toEqual({ what, valid: false })
      expect(r.errors[0]).toMatch(/512·n \+ 32|too small|meta page/)
    }
    // Whole pages cut and the trailer recomputed: the size looks right, the high-water mark does not.
    const shorter = withTrailer(data.subarray(0, data.length - ps))
    const r = await verifyBytes(shorter)
    expect(r.valid).toBe(false)
    expect(r.errors[0]).toMatch(/high-water mark/)
  })

  it('rejects appended bytes', async () => {
    for (const extra of [1, 512, 4096]) {
      const r = await verifyBytes(Buffer.concat([snapshot, randomBytes(extra)]))
      expect({ extra, valid: r.valid }).toEqual({ extra, valid: false })
    }
  })

  it('rejects a flipped trailer byte, naming the sha256', async () => {
    for (const at of [0, 13, 31]) {
      const s = Buffer.from(snapshot)
      s[s.length - TRAILER + at]! ^= 0x40
      const r = await verifyBytes(s)
      expect(r.valid).toBe(false)
      expect(r.errors).toHaveLength(1)
      expect(r.errors[0]).toMatch(/^sha256 mismatch/)
    }
  })
})

describe('meta pages', () => {
  const fields: [string, number][] = [
    ['magic', 0],
    ['version', 4],
    ['page size', 8],
    ['flags', 12],
    ['root page', 16],
    ['root sequence', 24],
    ['freelist page', 32],
    ['high-water mark', 40],
    ['txid', 48],
    ['checksum', 56]
  ]

  it('rejects a flip in every field of either meta page, with either trailer', async () => {
    const damages: Damage[] = []
    for (const page of [0, 1]) {
      for (const [name, off] of fields) {
        const at = page * layout.pageSize + 16 + off
        damages.push({ name: `meta ${page} ${name}`, apply: flip(at, 0x04), expect: 'invalid' })
      }
      damages.push({
        name: `meta ${page} page header flags`,
        apply: flip(page * layout.pageSize + 8),
        expect: 'invalid'
      })
      damages.push({ name: `meta ${page} slack byte`, apply: flip(page * layout.pageSize + 2000), expect: 'invalid' })
    }
    expect(await judge(damages)).toEqual([])
  })

  it('rejects meta pages that each check out but disagree', async () => {
    const ps = layout.pageSize
    const damages: Damage[] = [
      {
        name: 'meta 1 with another root page and a correct checksum',
        apply: d => {
          d.writeBigUInt64LE(BigInt(pick(layout.free, 'free page')), ps + 16 + 16)
          fixMetaChecksum(d, ps)
        },
        expect: 'invalid'
      },
      {
        name: 'meta 1 with the same txid as meta 0',
        apply: d => {
          d.writeBigUInt64LE(d.readBigUInt64LE(16 + 48), ps + 16 + 48)
          fixMetaChecksum(d, ps)
        },
        expect: 'invalid'
      },
      {
        name: 'both metas with a smaller high-water mark',
        apply: d => {
          for (const p of [0, ps]) {
            d.writeBigUInt64LE(d.readBigUInt64LE(p + 16 + 40) - 1n, p + 16 + 40)
            fixMetaChecksum(d, p)
          }
        },
        expect: 'invalid'
      }
    ]
    expect(await judge(damages)).toEqual([])
  })
})

describe('page-level damage', () => {
  let keyLeaf: TreePage
  let keyBranch: TreePage
  let otherLeaf: TreePage
  let rootPage: TreePage
  let overflowLeaf: TreePage
  let gtPut: KeyEntry
  let gtCreate: KeyEntry
  let gtTomb: KeyEntry
  let lePut: KeyEntry
  let leased: KeyEntry

  beforeAll(() => {
    const c = layout.compactRevision
    const entries = layout.keyEntries
    gtPut = pick(
      entries.filter(e => e.main > c && !e.tombstone && e.kv.version > 1 && e.valueLen > 40),
      'update after the compaction'
    )
    gtCreate = pick(
      entries.filter(e => e.main > c && !e.tombstone && e.kv.version === 1),
      'creation after the compaction'
    )
    gtTomb = pick(
      entries.filter(e => e.main > c && e.tombstone),
      'tombstone after the compaction'
    )
    lePut = pick(
      entries.filter(e => e.main <= c && e.kv.version > 1),
      'compacted survivor with history'
    )
    leased = pick(
      entries.filter(e => e.kv.tag.has(6)),
      'key with a lease'
    )
    keyLeaf = layout.pages.get(gtPut.page)!
    keyBranch = pick(
      treePages(p => p.bucket === 'key' && p.kind === 'branch'),
      'key branch page'
    )
    otherLeaf = pick(
      treePages(p => p.bucket === 'lease' && p.kind === 'leaf'),
      'lease leaf page'
    )
    rootPage = layout.pages.get(layout.root)!
    overflowLeaf = pick(
      treePages(p => p.overflow > 0),
      'page with overflow'
    )
  })

  it('rejects damage to page headers', async () => {
    const damages: Damage[] = []
    for (const [what, p] of [
      ['key leaf', keyLeaf],
      ['key branch', keyBranch],
      ['lease leaf', otherLeaf],
      ['root bucket', rootPage],
      ['overflowing leaf', overflowLeaf]
    ] as const) {
      damages.push({ name: `${what} page id`, apply: flip(p.offset), expect: 'invalid' })
      damages.push({ name: `${what} page id high byte`, apply: flip(p.offset + 7, 0x80), expect: 'invalid' })
      damages.push({ name: `${what} page flags`, apply: flip(p.offset + 8), expect: 'invalid' })
      damages.push({ name: `${what} page flags (meta)`, apply: flip(p.offset + 8, 0x04), expect: 'invalid' })
      damages.push({ name: `${what} element count`, apply: flip(p.offset + 10), expect: 'invalid' })
      damages.push({ name: `${what} overflow`, apply: flip(p.offset + 12), expect: 'invalid' })
    }
    expect(await judge(damages)).toEqual([])
  })

  it('rejects damage to branch elements and branch keys', async () => {
    const damages: Damage[] = []
    const els = keyBranch.elements
    for (const e of [els[0]!, els[Math.floor(els.length / 2)]!, els[els.length - 1]!]) {
      const tag = `key branch element ${e.index}`
      damages.push({ name: `${tag} pos`, apply: flip(e.header), expect: 'invalid' })
      damages.push({ name: `${tag} key size`, apply: flip(e.header + 4), expect: 'invalid' })
      damages.push({ name: `${tag} child page id`, apply: flip(e.header + 8), expect: 'invalid' })
      damages.push({ name: `${tag} child page id high byte`, apply: flip(e.header + 15, 0x80), expect: 'invalid' })
    }
    expect(await judge(damages)).toEqual([])
  })

  it('rejects a damaged key anywhere in the B+trees, on both sides of the compaction', async () => {
    // The key bucket is walked in two pieces split at the compaction; a damaged key must not hide a subtree from
    // both. Branch pages: first, middle and last key of every one. Leaf pages: those around the split and a sample.
    const damages: Damage[] = []
    const main = (at: number): number => Number(data.readBigUInt64BE(at))
    for (const p of treePages(p => p.kind === 'branch')) {
      const els = p.elements
      // In the key bucket also the children on either side of the split.
      const split = p.bucket === 'key' ? els.findLastIndex(e => main(e.key) <= layout.compactRevision) : -1
      const picked = [els[0], els[Math.floor(els.length / 2)], els[els.length - 1], els[split], els[split + 1]]
      for (const e of new Set(picked.filter(e => e !== undefined))) {
        const tag = `${p.bucket} branch ${p.id} element ${e.index}`
        damages.push({ name: `${tag} key first byte`, apply: flip(e.key, 0x80), expect: 'invalid' })
        damages.push({ name: `${tag} key last byte`, apply: flip(e.key + e.keyLen - 1), expect: 'invalid' })
      }
    }
    const leaves = treePages(p => p.bucket === 'key' && p.kind === 'leaf')
    const boundary = leaves.findIndex(p => p.elements.some(e => main(e.key) > layout.compactRevision))
    leaves.forEach((p, i) => {
      if (Math.abs(i - boundary) > 3 && i % 15 !== 0) return
      for (const e of new Set([p.elements[0]!, p.elements[p.elements.length - 1]!])) {
        damages.push({
          name: `key leaf ${p.id} element ${e.index} main revision high byte`,
          apply: flip(e.key, 0x40),
          expect: 'invalid'
        })
      }
    })
    expect(await judge(damages, 'recomputed')).toEqual([])
  })

  it('rejects damage to leaf elements', async () => {
    const damages: Damage[] = []
    for (const [what, p] of [
      ['key leaf', keyLeaf],
      ['lease leaf', otherLeaf],
      ['root bucket', rootPage],
      ['overflowing leaf', overflowLeaf]
    ] as const) {
      const els = p.elements
      for (const e of new Set([els[0]!, els[els.length - 1]!])) {
        const tag = `${what} element ${e.index}`
        damages.push({ name: `${tag} flags`, apply: flip(e.header), expect: 'invalid' })
        damages.push({ name: `${tag} pos`, apply: flip(e.header + 4), expect: 'invalid' })
        damages.push({ name: `${tag} key size`, apply: flip(e.header + 8), expect: 'invalid' })
        damages.push({ name: `${tag} value size`, apply: flip(e.header + 12), expect: 'invalid' })
        damages.push({ name: `${tag} value size high byte`, apply: flip(e.header + 15, 0x40), expect: 'invalid' })
      }
    }
    expect(await judge(damages)).toEqual([])
  })

  it('rejects damage to revision keys', async () => {
    const damages: Damage[] = [
      { name: 'update: main revision low byte', apply: flip(gtPut.key + 7), expect: 'invalid' },
      { name: 'update: main revision high byte', apply: flip(gtPut.key, 0x80), expect: 'invalid' },
      { name: "update: '_' separator", apply: flip(gtPut.key + 8), expect: 'invalid' },
      { name: 'update: sub revision', apply: flip(gtPut.key + 16, 0x02), expect: 'invalid' },
      { name: 'creation: main revision', apply: flip(gtCreate.key + 7, 0x02), expect: 'invalid' },
      { name: 'tombstone: main revision', apply: flip(gtTomb.key + 7, 0x04), expect: 'invalid' },
      { name: 'tombstone: sub revision', apply: flip(gtTomb.key + 16, 0x10), expect: 'invalid' },
      { name: "tombstone: 't' mark", apply: flip(gtTomb.key + 17), expect: 'invalid' },
      { name: 'compacted survivor: main revision', apply: flip(lePut.key + 7), expect: 'invalid' }
    ]
    expect(await judge(damages)).toEqual([])
  })

  it('rejects damage to the protobuf framing and fields of stored KeyValues', async () => {
    const damages: Damage[] = []
    for (const [what, e] of [
      ['update', gtPut],
      ['survivor', lePut],
      ['leased key', leased]
    ] as const) {
      for (const [field, at] of e.kv.tag)
        damages.push({ name: `${what}: field ${field} tag`, apply: flip(at, 0x08), expect: 'invalid' })
      const keyLen = e.kv.tag.get(1)! + 1
      damages.push({ name: `${what}: key length`, apply: flip(keyLen), expect: 'invalid' })
      damages.push({ name: `${what}: mod_revision`, apply: flip(e.kv.payload.get(3)!), expect: 'invalid' })
      if (e.kv.tag.has(5))
        damages.push({ name: `${what}: value length`, apply: flip(e.kv.tag.get(5)! + 1), expect: 'invalid' })
      damages.push({
        name: `${what}: version retagged as a second mod_revision`,
        apply: d => {
          d[e.kv.tag.get(4)!] = 0x18
        },
        expect: 'invalid'
      })
    }
    damages.push({ name: 'update: create_revision', apply: flip(gtPut.kv.payload.get(2)!), expect: 'invalid' })
    damages.push({ name: 'update: version', apply: flip(gtPut.kv.payload.get(4)!), expect: 'invalid' })
    damages.push({ name: 'creation: version', apply: flip(gtCreate.kv.payload.get(4)!, 0x02), expect: 'invalid' })
    damages.push({ name: 'tombstone: key length', apply: flip(gtTomb.kv.tag.get(1)! + 1), expect: 'invalid' })
    expect(await judge(damages)).toEqual([])
  })

  it('rejects damage to the other buckets', async () => {
    const inline = (
      name: string
    ): {
      value: number
      key: number
      el: { key: number; keyLen: number; value: number; valueLen: number; header: number }
    } => {
      const b = layout.inline.find(x => x.bucket === name)!
      return { value: b.value, key: b.elements[0]!.key, el: b.elements[0]! }
    }
    const lease = otherLeaf.elements[1]!
    const meta = layout.inline.find(x => x.bucket === 'meta')!
    const sched = meta.elements.find(e => data.subarray(e.key, e.key + e.keyLen).toString() === 'scheduledCompactRev')!
    const users = layout.inline.find(x => x.bucket === 'authUsers')!
    const roles = layout.inline.find(x => x.bucket === 'authRoles')!
    const authRevision = layout.inline
      .find(x => x.bucket === 'auth')!
      .elements.find(e => data.subarray(e.key, e.key + e.keyLen).toString() === 'authRevision')!
    const rootEl = rootPage.elements.find(e => data.subarray(e.key, e.key + e.keyLen).toString() === 'members')!
    const damages: Damage[] = [
      { name: 'lease value: ID tag', apply: flip(lease.value, 0x10), expect: 'invalid' },
      { name: 'lease value: ID', apply: flip(lease.value + 1), expect: 'invalid' },
      { name: 'lease key', apply: flip(lease.key + 7), expect: 'invalid' },
      { name: 'meta: key name', apply: flip(meta.elements[0]!.key), expect: 'invalid' },
      { name: "meta: scheduledCompactRev '_'", apply: flip(sched.value + 8), expect: 'invalid' },
      { name: 'meta: element value size', apply: flip(meta.elements[0]!.header + 12), expect: 'invalid' },
      { name: 'inline bucket: page flags', apply: flip(meta.value + 16 + 8), expect: 'invalid' },
      { name: 'inline bucket: header root', apply: flip(meta.value, 0x08), expect: 'invalid' },
      { name: "members: JSON '{'", apply: flip(inline('members').el.value), expect: 'invalid' },
      { name: 'members: key (member id)', apply: flip(inline('members').key, 0x02), expect: 'invalid' },
      { name: "cluster: version '.'", apply: flip(inline('cluster').el.value + 1, 0x40), expect: 'invalid' },
      { name: 'authUsers: name tag', apply: flip(users.elements[0]!.value, 0x08), expect: 'invalid' },
      { name: 'authUsers: name', apply: flip(users.elements[0]!.value + 2), expect: 'invalid' },
      {
        name: 'authRoles: permission length',
        apply: flip(roles.elements[0]!.value + 3 + data[roles.elements[0]!.value + 1]!),
        expect: 'invalid'
      },
      { name: 'auth: authRevision value size', apply: flip(authRevision.header + 12), expect: 'invalid' },
      { name: 'root bucket: a bucket name', apply: flip(rootEl.key + 1), expect: 'invalid' },
      { name: 'root bucket: bucket header root', apply: flip(rootEl.value + 3), expect: 'invalid' }
    ]
    expect(await judge(damages)).toEqual([])
  })

  it('rejects a zeroed, duplicated or random tree page; damage to a free page is harmless', async () => {
    const ps = layout.pageSize
    const leaves = treePages(p => p.bucket === 'key' && p.kind === 'leaf' && p.overflow === 0)
    const other = leaves.find(p => p.id !== keyLeaf.id)!
    const free = pick(layout.free, 'free page')
    const damages: Damage[] = [
      { name: 'zeroed key leaf page', apply: d => d.fill(0, keyLeaf.offset, keyLeaf.offset + ps), expect: 'invalid' },
      {
        name: 'zeroed key branch page',
        apply: d => d.fill(0, keyBranch.offset, keyBranch.offset + ps),
        expect: 'invalid'
      },
      {
        name: 'zeroed root bucket page',
        apply: d => d.fill(0, rootPage.offset, rootPage.offset + ps),
        expect: 'invalid'
      },
      {
        name: 'key leaf page duplicated over another',
        apply: d => d.copy(d, other.offset, keyLeaf.offset, keyLeaf.offset + ps),
        expect: 'invalid'
      },
      {
        name: 'random bytes over a key leaf page',
        apply: d => randomBytes(ps).copy(d, keyLeaf.offset),
        expect: 'invalid'
      },
      {
        name: 'random bytes over the lease leaf page',
        apply: d => randomBytes(ps).copy(d, otherLeaf.offset),
        expect: 'invalid'
      },
      { name: 'zeroed free page', apply: d => d.fill(0, free * ps, free * ps + ps), expect: 'harmless' },
      { name: 'random bytes over a free page', apply: d => randomBytes(ps).copy(d, free * ps), expect: 'harmless' },
      {
        name: 'a tree page copied over a free page',
        apply: d => d.copy(d, free * ps, keyLeaf.offset, keyLeaf.offset + ps),
        expect: 'harmless'
      }
    ]
    expect(await judge(damages)).toEqual([])
  })

  it('accepts damage confined to user data or slack, and then HashKV is what differs (or nothing does)', async () => {
    const slackPage = treePages(
      p => p.kind === 'leaf' && p.overflow === 0 && p.offset + layout.pageSize - p.dataEnd > 100
    )[0]!
    const bigValue = layout.keyEntries.find(e => e.valueLen > 500_000)!
    const value = (e: KeyEntry, at: number): number => e.kv.payload.get(5)! + at
    const damages: Damage[] = [
      { name: 'a byte of an updated value', apply: flip(value(gtPut, 3)), expect: 'hashkv-differs' },
      { name: 'a byte of a created value', apply: flip(value(gtCreate, 0)), expect: 'hashkv-differs' },
      { name: 'a byte of a compacted survivor value', apply: flip(value(lePut, 1)), expect: 'hashkv-differs' },
      { name: 'a byte deep in an overflowing value', apply: flip(value(bigValue, 400_000)), expect: 'hashkv-differs' },
      {
        name: 'a zeroed page inside an overflowing value',
        apply: d => d.fill(0, value(bigValue, 100_000), value(bigValue, 100_000 + layout.pageSize)),
        expect: 'hashkv-differs'
      },
      { name: 'slack after the last element', apply: flip(slackPage.dataEnd + 10), expect: 'harmless' },
      { name: 'slack at the end of a page', apply: flip(slackPage.offset + layout.pageSize - 1), expect: 'harmless' }
    ]
    expect(await judge(damages)).toEqual([])
  })

  it('catches damage to the metadata of a compacted survivor, by structure or by HashKV', async () => {
    // A survivor's user key, create_revision and version have no earlier revision to be checked against.
    const cases: [string, (d: Buffer) => void][] = [
      ['user key byte', flip(lePut.kv.payload.get(1)! + 12)],
      ['create_revision', flip(lePut.kv.payload.get(2)!)],
      ['version', flip(lePut.kv.payload.get(4)!)]
    ]
    for (const [name, apply] of cases) {
      const d = Buffer.from(data)
      apply(d)
      const r = await verifyBytes(withTrailer(d))
      expect({ name, caught: !r.valid || r.hashKV?.hash !== liveHash }).toEqual({ name, caught: true })
    }
  })
})

describe('not snapshots at all', () => {
  function emptyBoltWithTrailer(): Buffer {
    const ps = 4096
    const d = Buffer.alloc(4 * ps)
    for (const [page, txid] of [
      [0, 2],
      [1, 1]
    ] as const) {
      const p = page * ps
      d.writeBigUInt64LE(BigInt(page), p)
      d.writeUInt16LE(0x04, p + 8)
      d.writeUInt32LE(0xed0cdaed, p + 16)
      d.writeUInt32LE(2, p + 20)
      d.writeUInt32LE(ps, p + 24)
      d.writeBigUInt64LE(3n, p + 32) // root
      d.writeBigUInt64LE(2n, p + 48) // freelist
      d.writeBigUInt64LE(4n, p + 56) // high-water mark
      d.writeBigUInt64LE(BigInt(txid), p + 64)
      fixMetaChecksum(d, p)
    }
    d.writeBigUInt64LE(2n, 2 * ps)
    d.writeUInt16LE(0x10, 2 * ps + 8)
    d.writeBigUInt64LE(3n, 3 * ps)
    d.writeUInt16LE(0x02, 3 * ps + 8)
    return withTrailer(d)
  }

  it('rejects each of them without throwing', async () => {
    const inputs: [string, Buffer][] = [
      ['an empty file', Buffer.alloc(0)],
      ['a gzip of the snapshot', gzipSync(snapshot)],
      ['random bytes of a snapshot-like size', randomBytes(512 * 40 + 32)],
      ['random bytes', randomBytes(100_003)],
      ['text', Buffer.from('this is not an etcd snapshot\n'.repeat(100))],
      ['an empty bbolt database with a valid trailer', emptyBoltWithTrailer()],
      ['a copy of member/snap/db', readFileSync(memberDbCopy)],
      ['member/snap/db with a sha256 trailer', withTrailer(readFileSync(memberDbCopy))],
      ['only the two meta pages with a trailer', withTrailer(data.subarray(0, 2 * layout.pageSize))]
    ]
    for (const [what, bytes] of inputs) {
      const r = await verifyBytes(bytes)
      expect({ what, valid: r.valid, headline: typeof r.errors[0] }).toEqual({ what, valid: false, headline: 'string' })
      expect(r.errors.join('\n')).not.toMatch(/internal error/)
    }
    const empty = await verifyBytes(emptyBoltWithTrailer())
    expect(empty.errors[0]).toMatch(/no "key" bucket/)
    expect(createHash('sha256').update(dataOf(emptyBoltWithTrailer())).digest('hex')).toBe(empty.sha256)
  })
})
