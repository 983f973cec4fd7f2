/**
 * A copy of a member's database (member/snap/db) is not `snapshot save` output: it has no sha256 trailer, its two
 * meta pages come from two different transactions, and its file may be larger than its high-water mark. Without
 * --skip-hash-check the verifier names it for what it is, in one line; with it, the structure is checked and the
 * status is the snapshot tool's (etcdctl 3.4, etcdutl 3.5+), read from the meta page bbolt itself uses (the valid one with the higher txid).
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { run, type CliIO } from '../../src/cli/index.js'
import { verifySnapshot } from '../../src/verify/index.js'
import { peekRevision } from '../../src/verify/peek.js'
import { mapSnapshot } from '../harness/bolt-layout.js'
import { startEtcd, stopAll, type EtcdMember } from '../harness/etcd.js'
import { currentRevision, putMany, readAll } from '../harness/seed.js'
import { expectedToolStatus, memberHashKv, toolStatus } from '../harness/snapshots.js'

let dir: string
let member: EtcdMember
/** Copies of member/snap/db (meta pages with different trees): the newer meta on page 1 in one, page 0 in the other. */
const copies: { file: string; newer: number; keys: number; hashKv: number }[] = []

/** Each meta page's txid and root page (bbolt writes transaction t's meta to page t % 2). */
function metas(file: string): { txid: number; root: number }[] {
  const b = readFileSync(file)
  const ps = b.readUInt32LE(24)
  return [0, ps].map(p => ({ txid: Number(b.readBigUInt64LE(p + 16 + 48)), root: Number(b.readBigUInt64LE(p + 32)) }))
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'snapshot-member-db-'))
  member = await startEtcd({ dataDir: join(dir, 'data') })
  let batch = 0
  // Copied while the member runs, once its last batch is committed (etcd commits every 100 ms, and only changes):
  // the two meta pages then hold the last two commits, whose trees differ. More puts until the newer meta has been
  // on each page.
  while (copies.length < 2 && batch < 12) {
    await putMany(
      member,
      Array.from({ length: 150 }, (_, i) => [`/batch/${batch}/${i}`, 'v'.repeat(i % 40)] as const)
    )
    batch++
    await new Promise(resolve => setTimeout(resolve, 1000))
    const revision = await currentRevision(member)
    const [live] = await memberHashKv(member, revision)
    const keys = (await readAll(member)).size
    const file = join(dir, `db-${batch}`)
    copyFileSync(join(member.dataDir, 'member', 'snap', 'db'), file)
    const [m0, m1] = metas(file)
    const newer = m1!.txid > m0!.txid ? 1 : 0
    if (m0!.root !== m1!.root && !copies.some(c => c.newer === newer))
      copies.push({ file, newer, keys, hashKv: live!.hash })
  }
}, 300_000)

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

describe("a copy of a member's database", () => {
  it('is found with its newer meta on either page, the older one describing an earlier tree', () => {
    expect(copies.map(c => c.newer).sort()).toEqual([0, 1])
  })

  it('is named for what it is, in one line, without --skip-hash-check', async () => {
    for (const { file } of copies) {
      const r = await verifySnapshot(file)
      expect(r.valid).toBe(false)
      expect(r.errors).toHaveLength(1)
      expect(r.errors[0]).toMatch(/^no sha256 trailer .*a copy of a member's database \(member\/snap\/db\)/)
      expect(r.errors[0]).toMatch(/--skip-hash-check/)
      expect(r.errors[0]).not.toMatch(/truncated|appended|changed after etcd wrote it/)
      expect(r.sha256).toBe('')
    }
  })

  it('with --skip-hash-check: valid, and the status, live keys and HashKV of the newer meta page', async () => {
    for (const { file, newer, keys, hashKv } of copies) {
      const r = await verifySnapshot(file, { skipHashCheck: true })
      expect({ newer, errors: r.errors }).toEqual({ newer, errors: [] })
      // The release's snapshot tool (etcdctl 3.4, etcdutl 3.5+) reads a member's database as well.
      expect({ newer, status: await toolStatus(file) }).toEqual({ newer, status: expectedToolStatus(r) })
      // The revision hint read along one path of the tree follows the same meta page.
      expect({ newer, peeked: peekRevision(file) }).toEqual({ newer, peeked: r.status.revision })
      expect(r.liveKeys).toBe(keys)
      expect(r.hashKV?.hash).toBe(hashKv)
      expect(r.warnings.join('\n')).toMatch(/no sha256 trailer/)
    }
  })

  it('with --skip-hash-check, damage is still found', async () => {
    // mapSnapshot follows meta page 0: take the copy where that is the newer one.
    const { file } = copies.find(c => c.newer === 0)!
    const bytes = readFileSync(file)
    const layout = mapSnapshot(bytes)
    const leaf = [...layout.pages.values()].find(p => p.bucket === 'key' && p.kind === 'leaf')!
    const damaged = Buffer.from(bytes)
    damaged[leaf.offset + 8]! ^= 0x04
    const out = join(dir, 'damaged-db')
    writeFileSync(out, damaged)
    const r = await verifySnapshot(out, { skipHashCheck: true })
    expect(r.valid).toBe(false)
    expect(r.errors[0]).toMatch(new RegExp(`^page ${leaf.id} \\(byte \\d+\\): page flags`))
  })

  it('etcd-snapshot verify: exit 1 with the one line, exit 0 with --skip-hash-check', async () => {
    const { file } = copies[0]!
    const no = await cli('verify', file)
    expect(no.code).toBe(1)
    expect(no.stdout.split('\n')).toEqual([expect.stringMatching(/^invalid snapshot .*: no sha256 trailer/), ''])
    const ok = await cli('verify', '--skip-hash-check', file)
    expect(ok.code).toBe(0)
    expect(ok.stdout.split('\n')[0]).toBe(`valid etcd database ${file} (no sha256 trailer)`)
    expect(ok.stdout).toMatch(/sha256 trailer: none/)
  })
})
