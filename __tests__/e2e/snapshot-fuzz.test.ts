/**
 * Random damage to a real snapshot never makes the verifier throw or hit an internal error, and with the original
 * trailer every damaged file is rejected. Deterministic: the PRNG seed is fixed and each failure names its case.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { verifySnapshot } from '../../src/verify/index.js'
import { dataOf, mapSnapshot, withTrailer, TRAILER, type Layout } from '../harness/bolt-layout.js'
import { startEtcd, stopAll } from '../harness/etcd.js'
import { compact, currentRevision, deleteKeys, kubernetesEntries, putMany, seedKubernetes } from '../harness/seed.js'
import { saveSnapshot } from '../harness/snapshots.js'

let dir: string
let snapshot: Buffer
let data: Buffer
let layout: Layout

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'snapshot-fuzz-'))
  const member = await startEtcd()
  await seedKubernetes(member, { objects: 300, namespaces: 4, valueSize: { min: 100, max: 2500 } })
  const keys = [...kubernetesEntries({ objects: 300, namespaces: 4 })].map(([k]) => k)
  await putMany(
    member,
    keys.slice(0, 80).map(k => [k, `v2 ${k}`] as const)
  )
  await deleteKeys(member, keys.slice(80, 100))
  await compact(member, await currentRevision(member), true)
  await putMany(
    member,
    keys.slice(0, 20).map(k => [k, `v3 ${k}`] as const)
  )
  await putMany(member, [['/big', Buffer.alloc(50_000, 9)]])
  const file = join(dir, 'snap.db')
  await saveSnapshot(member, file)
  await stopAll()
  snapshot = readFileSync(file)
  data = Buffer.from(dataOf(snapshot))
  layout = mapSnapshot(snapshot)
})

afterAll(async () => {
  await stopAll()
  rmSync(dir, { recursive: true, force: true })
})

/** sfc32, seeded. */
function prng(seed: number): () => number {
  let a = 0x9e3779b9 ^ seed
  let b = 0x243f6a88
  let c = 0xb7e15162
  let d = 1
  return () => {
    a |= 0
    b |= 0
    c |= 0
    d |= 0
    const t = (((a + b) | 0) + d) | 0
    d = (d + 1) | 0
    a = b ^ (b >>> 9)
    b = (c + (c << 3)) | 0
    c = (c << 21) | (c >>> 11)
    c = (c + t) | 0
    return (t >>> 0) / 0x100000000
  }
}

describe('fuzzing', () => {
  it('never throws, never fails internally, and rejects every change under the original trailer', async () => {
    const rnd = prng(20240601)
    const int = (n: number): number => Math.floor(rnd() * n)
    const ps = layout.pageSize
    const treeOffsets = [...layout.pages.values()].map(p => p.offset)
    const failures: string[] = []
    const file = join(dir, 'case.db')
    const CASES = 400
    for (let i = 0; i < CASES; i++) {
      let d: Buffer = Buffer.from(data)
      const kind = int(6)
      let what: string
      if (kind === 0) {
        const n = 1 + int(8)
        for (let k = 0; k < n; k++) d[int(d.length)]! ^= 1 << int(8)
        what = `${n} random bit flips`
      } else if (kind === 1) {
        // Aim at the structure: page headers and element arrays of tree pages.
        const n = 1 + int(4)
        for (let k = 0; k < n; k++) d[treeOffsets[int(treeOffsets.length)]! + int(64)]! ^= 1 << int(8)
        what = `${n} flips in page headers/elements`
      } else if (kind === 2) {
        d[int(2) * ps + int(80)]! ^= 1 << int(8)
        what = 'a meta page flip'
      } else if (kind === 3) {
        d = d.subarray(0, int(d.length))
        what = `truncated to ${d.length}`
      } else if (kind === 4) {
        const from = int(d.length - ps)
        const to = int(d.length - ps)
        d.copy(d, to, from, from + 1 + int(ps))
        what = `bytes ${from}.. copied to ${to}`
      } else {
        const at = treeOffsets[int(treeOffsets.length)]!
        for (let k = 0; k < ps; k++) d[at + k] = int(256)
        what = `random page at ${at}`
      }
      if (d.equals(data)) continue
      const recomputed = rnd() < 0.6
      writeFileSync(
        file,
        recomputed ? withTrailer(d) : Buffer.concat([d, snapshot.subarray(snapshot.length - TRAILER)])
      )
      const label = `case ${i} (${what}, ${recomputed ? 'recomputed' : 'original'} trailer)`
      try {
        const r = await verifySnapshot(file)
        if (!Array.isArray(r.errors) || r.errors.some(e => typeof e !== 'string' || e.includes('internal error'))) {
          failures.push(`${label}: ${r.errors[0]}`)
        }
        if (!recomputed && r.valid) failures.push(`${label}: accepted`)
        if (r.valid !== (r.errors.length === 0)) failures.push(`${label}: valid disagrees with errors`)
      } catch (e: unknown) {
        failures.push(`${label}: threw ${String(e)}`)
      }
    }
    expect(failures).toEqual([])
  })
})
