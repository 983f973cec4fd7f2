/**
 * The backup's acceptance gate (snapshot/acceptance.ts), one check at a time: each test hands it a real snapshot of a
 * real etcd member of the release under test, with what the native verifier and etcd's own `snapshot status` said
 * about it, and changes exactly one piece of that evidence so that exactly one check must refuse. Each asserts that
 * check's own message, so a check switched off makes its test fail (a later check catching the same case says
 * something else). Two cases run the whole action with a wrapped tool: a `snapshot status` that disagrees with the
 * file (from etcdctl on 3.4, etcdutl from 3.5 on, the tool the action asks), and a member whose revision around the
 * save does not contain the snapshot's.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import { toolSnapshotStatus, type TakenSnapshot, type ToolSnapshotStatus } from '../../src/backup/save.js'
import { resolveTools } from '../../src/etcd/tools.js'
import { VerificationError } from '../../src/errors.js'
import type { BackupFileResult } from '../../src/pipeline/index.js'
import { assertSnapshotAccepted, type AcceptanceEvidence } from '../../src/backup/gate.js'
import { verifySnapshot, type SnapshotReport } from '../../src/verify/index.js'
import { runAction } from '../harness/action-runner.js'
import { ETCDCTL_BIN, ETCDUTL_BIN, SNAPSHOT_TOOL_BIN, startEtcd, stopAll, type EtcdMember } from '../harness/etcd.js'
import { currentRevision, seedKubernetes } from '../harness/seed.js'
import { saveSnapshot } from '../harness/snapshots.js'

let dir: string
let member: EtcdMember
let snapshot: string
let size: number
let revision: number
let native: SnapshotReport
let status: ToolSnapshotStatus

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gate-'))
  member = await startEtcd()
  await seedKubernetes(member, { objects: 200, seed: 5 })
  snapshot = join(dir, 'snapshot.db')
  await saveSnapshot(member, snapshot)
  revision = await currentRevision(member)
  size = statSync(snapshot).size
  native = await verifySnapshot(snapshot)
  status = await toolSnapshotStatus(await resolveTools('etcdctl', 'etcdutl'), snapshot)
})

afterAll(async () => {
  await stopAll()
  rmSync(dir, { recursive: true, force: true })
})

/** The evidence of a sound backup of this snapshot, with `change` applied to a copy of it. */
function evidence(change: (e: AcceptanceEvidence) => void = () => undefined): AcceptanceEvidence {
  const taken: TakenSnapshot = {
    file: snapshot,
    revisionBefore: revision,
    revisionAfter: revision,
    startedAt: new Date(),
    finishedAt: new Date()
  }
  const file: BackupFileResult = {
    snapshotSize: size,
    snapshotDataSha256: native.dataSha256,
    snapshotTrailerSha256: native.sha256,
    fileSize: 1,
    fileSha256: '0'.repeat(64)
  }
  const copy: AcceptanceEvidence = {
    taken,
    file,
    status: { ...status },
    native: { ...native, status: { ...native.status } },
    minKeys: 1
  }
  change(copy)
  return copy
}

/** The gate's verdict: the message it refused with, or 'accepted'. */
function verdict(e: AcceptanceEvidence): string {
  try {
    assertSnapshotAccepted(e)
    return 'accepted'
  } catch (err: unknown) {
    expect(err).toBeInstanceOf(VerificationError)
    return (err as Error).message
  }
}

describe('the acceptance gate', () => {
  it('accepts the evidence of a sound snapshot (so each refusal below is the one change)', () => {
    expect(native.valid).toBe(true)
    expect(size % 512).toBe(32)
    expect(status.revision).toBe(revision)
    expect(verdict(evidence())).toBe('accepted')
  })

  it('refuses a size that is not 512·n + 32 bytes', () => {
    expect(verdict(evidence(e => (e.file.snapshotSize = size + 1)))).toBe(
      `snapshot size ${size + 1} is not 512·n + 32 bytes: the file is truncated or not an etcd snapshot`
    )
  })

  it("refuses data whose sha256 is not etcd's trailer", () => {
    const other = 'f'.repeat(64)
    expect(verdict(evidence(e => (e.file.snapshotTrailerSha256 = other)))).toBe(
      `snapshot checksum mismatch: sha256 of the data is ${native.dataSha256} but etcd's trailer says ${other}`
    )
  })

  it("refuses what the native verifier found invalid, with the verifier's first error", () => {
    const refused = evidence(e => {
      e.native.valid = false
      e.native.errors = ['page 7: branch element points past the high-water mark', 'a second error']
    })
    expect(verdict(refused)).toBe(
      'snapshot failed verification: page 7: branch element points past the high-water mark'
    )
  })

  it('refuses a file that was not the one the verifier read (the sizes differ)', () => {
    expect(verdict(evidence(e => (e.native.size = size - 512)))).toBe(
      `the snapshot changed while it was being backed up (${size - 512} bytes verified, ${size} bytes backed up)`
    )
  })

  it.each(['hash', 'revision', 'totalKey', 'totalSize'] as const)(
    "refuses when etcd's snapshot status and the native verifier disagree on %s",
    field => {
      const theirs = status[field] + 1
      // etcdutl 3.6's totalKey counts live keys, so the gate holds it against the verifier's live keys there.
      const ours =
        field === 'totalKey' && status.totalKeyCounts === 'live-keys' ? native.liveKeys : native.status[field]
      expect(verdict(evidence(e => (e.status[field] = theirs)))).toBe(
        `the native verifier and ${status.tool} snapshot status disagree (${field} ${ours} vs ${theirs}); the snapshot cannot be trusted`
      )
    }
  )

  it("compares etcdutl 3.6's totalKey, which counts live keys, with the live keys", () => {
    expect(native.liveKeys).not.toBe(native.status.totalKey)
    const live = (count: number) =>
      evidence(e => {
        e.status.totalKeyCounts = 'live-keys'
        e.status.totalKey = count
      })
    expect(verdict(live(native.liveKeys))).toBe('accepted')
    expect(verdict(live(native.status.totalKey))).toMatch(
      `disagree (totalKey ${native.liveKeys} vs ${native.status.totalKey})`
    )
  })

  it("refuses when etcdutl 3.6's offline hashkv (the third opinion) disagrees with the native verifier's HashKV", () => {
    const ours = native.hashKV!
    expect(ours.revision).toBe(revision)
    const third = (hash: number, hashRevision: number) =>
      evidence(e => (e.offlineHashKv = { hash, hashRevision, compactRevision: -1, tool: 'etcdutl 3.6.5' }))
    expect(verdict(third(ours.hash, ours.revision))).toBe('accepted')
    expect(verdict(third(ours.hash + 1, ours.revision))).toBe(
      `the native verifier's HashKV ${ours.hash} at revision ${ours.revision} and etcdutl 3.6.5 hashkv's ${ours.hash + 1} at revision ${ours.revision} disagree; the snapshot cannot be trusted`
    )
    expect(verdict(third(ours.hash, ours.revision - 1))).toBe(
      `the native verifier's HashKV ${ours.hash} at revision ${ours.revision} and etcdutl 3.6.5 hashkv's ${ours.hash} at revision ${ours.revision - 1} disagree; the snapshot cannot be trusted`
    )
  })

  it('refuses revision 0, even when both opinions and the member agree on it', () => {
    const refused = evidence(e => {
      e.native.status.revision = 0
      e.status.revision = 0
      e.taken.revisionBefore = 0
      e.taken.revisionAfter = 0
    })
    expect(verdict(refused)).toBe('snapshot revision is 0; an etcd that has data has revision > 0')
  })

  it.each([
    ['after', 1, 5],
    ['before', -5, -1]
  ])("refuses a revision outside the member's revisions around the save (the member was %s it)", (_, from, to) => {
    const refused = evidence(e => {
      e.taken.revisionBefore = revision + from
      e.taken.revisionAfter = revision + to
    })
    expect(verdict(refused)).toBe(
      `snapshot revision ${revision} is outside the member's revisions around the save (${revision + from}..${revision + to}); it is not a snapshot of this member now`
    )
    // The ends of the window are inside it.
    expect(verdict(evidence(e => (e.taken.revisionAfter = revision + 3)))).toBe('accepted')
    expect(verdict(evidence(e => (e.taken.revisionBefore = revision - 3)))).toBe('accepted')
  })

  it('refuses fewer live keys than min-keys', () => {
    expect(verdict(evidence(e => (e.minKeys = native.liveKeys + 1)))).toBe(
      `snapshot holds ${native.liveKeys} live keys, fewer than min-keys ${native.liveKeys + 1}; is this the right cluster?`
    )
    expect(verdict(evidence(e => (e.minKeys = native.liveKeys)))).toBe('accepted')
  })

  it('refuses a totalSize both opinions agree on but the file does not have', () => {
    const refused = evidence(e => {
      e.native.status.totalSize = size - 32 - 4096
      e.status.totalSize = size - 32 - 4096
    })
    expect(verdict(refused)).toBe(
      `snapshot status reports ${size - 32 - 4096} bytes but the file has ${size - 32} bytes of data`
    )
  })
})

describe('the gate in the action, with a wrapped etcdctl', () => {
  let recipient: string
  beforeAll(() => {
    const identity = join(dir, 'key.txt')
    execFileSync('age-keygen', ['-o', identity], { stdio: 'ignore' })
    recipient = execFileSync('age-keygen', ['-y', identity], { encoding: 'utf8' }).trim()
  })

  /**
   * The real `tool` (etcdctl, or etcdutl from 3.5 on), except that the JSON output of the command `words` passes
   * through `sed`. The wrapper keeps the tool's name, which the action's messages use.
   */
  function wrapped(name: string, words: string, sed: string, tool: string = ETCDCTL_BIN): string {
    const wrapper = join(dir, name, basename(tool))
    execFileSync('mkdir', ['-p', join(dir, name)])
    writeFileSync(
      wrapper,
      [
        '#!/bin/sh',
        `case "$*" in *"${words}"*) ;; *) exec ${tool} "$@";; esac`,
        `out=$(${tool} "$@") || exit $?`,
        `printf '%s\\n' "$out" | sed '${sed}'`,
        ''
      ].join('\n'),
      { mode: 0o755 }
    )
    return wrapper
  }

  /**
   * A module loaded into the action's node (NODE_OPTIONS=--import) that rewrites the revision in every
   * Maintenance.Status reply the action receives: the member seems to be at `revision` whatever it streams.
   * ResponseHeader (StatusResponse field 1) holds only varints: cluster_id 1, member_id 2, revision 3, raft_term 4.
   */
  function statusRevisionRewriter(revision: number): string {
    const hook = join(dir, `status-revision-${revision}.mjs`)
    writeFileSync(
      hook,
      [
        "import http2 from 'node:http2'",
        'const varint = n => { const out = []; let v = BigInt(n); do { let b = Number(v & 0x7fn); v >>= 7n; if (v) b |= 0x80; out.push(b) } while (v); return Buffer.from(out) }',
        'const read = (b, i) => { let v = 0n, s = 0n; for (;;) { const x = b[i++]; v |= BigInt(x & 0x7f) << s; s += 7n; if (!(x & 0x80)) return [v, i] } }',
        'function rewrite(msg) {',
        '  if (msg[0] !== 0x0a) return msg',
        '  const [length, start] = read(msg, 1)',
        '  const header = msg.subarray(start, start + Number(length))',
        '  const fields = []',
        '  for (let i = 0; i < header.length; ) {',
        '    const [tag, j] = read(header, i)',
        '    const [, k] = read(header, j)',
        `    fields.push(tag === 0x18n ? Buffer.concat([varint(0x18), varint(${revision})]) : header.subarray(i, k))`,
        '    i = k',
        '  }',
        '  const rewritten = Buffer.concat(fields)',
        '  return Buffer.concat([Buffer.from([0x0a]), varint(rewritten.length), rewritten, msg.subarray(start + Number(length))])',
        '}',
        'const connect = http2.connect',
        'http2.connect = (...args) => {',
        '  const session = connect(...args)',
        '  const request = session.request',
        '  session.request = function (headers, ...rest) {',
        '    const stream = request.call(this, headers, ...rest)',
        "    if (headers[':path'] !== '/etcdserverpb.Maintenance/Status') return stream",
        '    const push = stream.push',
        '    stream.push = function (chunk, ...more) {',
        '      if (chunk && chunk.length > 5 && chunk[0] === 0 && chunk.length === 5 + chunk.readUInt32BE(1)) {',
        '        const msg = rewrite(chunk.subarray(5))',
        '        const prefix = Buffer.alloc(5)',
        '        prefix.writeUInt32BE(msg.length, 1)',
        '        chunk = Buffer.concat([prefix, msg])',
        '      }',
        '      return push.call(this, chunk, ...more)',
        '    }',
        '    return stream',
        '  }',
        '  return session',
        '}',
        ''
      ].join('\n')
    )
    return hook
  }

  async function backupWith(
    tools: { etcdctl?: string; etcdutl?: string },
    name: string,
    env: Record<string, string> = {}
  ) {
    const outputDir = mkdtempSync(join(dir, 'out-'))
    const { main, post } = await runAction({
      env,
      inputs: {
        endpoints: member.clientUrl,
        cacert: '',
        cert: '',
        key: '',
        etcdctl: tools.etcdctl ?? ETCDCTL_BIN,
        etcdutl: tools.etcdutl ?? ETCDUTL_BIN ?? '',
        recipients: recipient,
        upload: 'false',
        'output-dir': outputDir,
        'artifact-name': name
      }
    })
    expect(post.code).toBe(0)
    // Refused: nothing that looks like a backup is left.
    expect(readdirSync(outputDir, { recursive: true })).toEqual([])
    return main
  }

  it('a member whose snapshot status disagrees with the file: the backup fails naming the number', async () => {
    // The tool the action asks for the status: etcdctl on 3.4, etcdutl from 3.5 on (3.6's etcdctl has none).
    const tool = basename(SNAPSHOT_TOOL_BIN)
    const lying = wrapped('status-lies', 'snapshot status', 's/"hash":[0-9]*/"hash":12345/', SNAPSHOT_TOOL_BIN)
    const main = await backupWith({ [tool]: lying }, 'status-lies')
    expect(main.code).not.toBe(0)
    expect(main.error).toMatch(
      new RegExp(
        `^the native verifier and ${tool} snapshot status disagree \\(hash \\d+ vs 12345\\); the snapshot cannot be trusted$`
      )
    )
  })

  it("a snapshot revision outside the member's revisions around the save: the backup fails", async () => {
    // The member reports revision 1 before and after the save; the snapshot it streams is at the real revision.
    const main = await backupWith({}, 'old-revision', { NODE_OPTIONS: `--import ${statusRevisionRewriter(1)}` })
    expect(main.code).not.toBe(0)
    expect(main.error).toMatch(
      /^snapshot revision \d+ is outside the member's revisions around the save \(1\.\.1\); it is not a snapshot of this member now$/
    )
  })
})
