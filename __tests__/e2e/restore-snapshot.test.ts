/**
 * restoreSnapshot with the release under test's own snapshot tool (etcdutl 3.5+, etcdctl 3.4), with Debian's real
 * etcdctl 3.4.23 (which predates the bump flags), and the membership rules. A stand-in records the arguments a tool
 * whose help does (or does not) list the bump flags gets, and hands the restore to the release's tool without them.
 */
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { resolveMembership, restoreSnapshot } from '../../src/restore/data-dir.js'
import type { EtcdTools } from '../../src/etcd/tools.js'
import { ConfigurationError, EtcdError } from '../../src/errors.js'
import {
  ETCD_VERSION,
  ETCDCTL_BIN,
  ETCDUTL_BIN,
  RESTORE_CAN_BUMP,
  SNAPSHOT_TOOL_BIN,
  startEtcd,
  stopAll
} from '../harness/etcd.js'
import { currentRevision, readAll, seedKubernetes } from '../harness/seed.js'
import { saveSnapshot } from '../harness/snapshots.js'

let dir: string
let snapshot: string
let live: Map<string, Buffer>
let revision: number
/** Debian's etcd-client 3.4.23 (installed by scripts/dev.sh): a real tool without --bump-revision. */
const DEBIAN_ETCDCTL = '/usr/bin/etcdctl'
const DEBIAN_ETCD = '/usr/bin/etcd'
const etcdctl34: EtcdTools = { etcdctl: { path: DEBIAN_ETCDCTL, version: '3.4.23' } }
/** The release under test's tools, as resolveTools finds them: etcdutl restores from 3.5 on. */
const release: EtcdTools = {
  etcdctl: { path: ETCDCTL_BIN, version: ETCD_VERSION },
  ...(ETCDUTL_BIN ? { etcdutl: { path: ETCDUTL_BIN, version: ETCD_VERSION } } : {})
}
const RELEASE_TOOL = ETCDUTL_BIN ? 'etcdutl' : 'etcdctl'

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'restore-snapshot-test-'))
  const member = await startEtcd()
  await seedKubernetes(member, { objects: 300, seed: 5 })
  snapshot = join(dir, 'snapshot.db')
  await saveSnapshot(member, snapshot)
  live = await readAll(member)
  revision = await currentRevision(member)
  await member.stop()
})

afterAll(async () => {
  await stopAll()
  rmSync(dir, { recursive: true, force: true })
})

/** A stand-in etcdutl whose `snapshot restore --help` does (or does not) list the bump flags. */
function fakeEtcdutl(name: string, listsBumpFlags: boolean): { path: string; argv: () => string[] } {
  const script = join(dir, name)
  const help = listsBumpFlags
    ? '      --bump-revision uint    How much to increase the latest revision after restore\\n      --mark-compacted        Mark the latest revision after restore as the point of scheduled compaction\\n'
    : '      --data-dir string       Path to the data directory\\n'
  writeFileSync(
    script,
    `#!${process.execPath}
const { spawnSync } = require('node:child_process')
const { writeFileSync } = require('node:fs')
const args = process.argv.slice(2)
if (args.includes('--help')) { process.stdout.write('Usage:\\n  etcdutl snapshot restore <filename> [flags]\\n\\nFlags:\\n${help}'); process.exit(0) }
writeFileSync(__filename + '.argv', JSON.stringify(args))
const passOn = args.filter(a => !a.startsWith('--bump-revision') && a !== '--mark-compacted')
const r = spawnSync(${JSON.stringify(SNAPSHOT_TOOL_BIN)}, passOn, { stdio: 'inherit', env: { ...process.env, ETCDCTL_API: '3' } })
process.exit(r.status ?? 1)
`
  )
  chmodSync(script, 0o755)
  return { path: script, argv: () => JSON.parse(readFileSync(`${script}.argv`, 'utf8')) as string[] }
}

describe('restoreSnapshot', () => {
  it('passes --bump-revision and --mark-compacted to a tool whose help lists them', async () => {
    const fake = fakeEtcdutl('etcdutl-3.5.12', true)
    const dataDir = join(dir, 'bumped', 'data')
    const result = await restoreSnapshot({
      tools: { ...etcdctl34, etcdutl: { path: fake.path, version: '3.5.12' } },
      snapshot,
      dataDir,
      name: 'node1',
      initialCluster: 'node1=https://10.0.0.1:2380,node2=https://10.0.0.2:2380',
      initialClusterToken: 'restored',
      bumpRevision: 1_000_000_000
    })
    expect(fake.argv()).toEqual([
      'snapshot',
      'restore',
      snapshot,
      // The tools refuse an existing dir: they restore into a new one inside the data dir, moved in after.
      expect.stringMatching(new RegExp(`^--data-dir=${dataDir}/\\.etcd-restore-\\w+/data$`)),
      '--name=node1',
      '--initial-cluster=node1=https://10.0.0.1:2380,node2=https://10.0.0.2:2380',
      '--initial-advertise-peer-urls=https://10.0.0.1:2380',
      '--initial-cluster-token=restored',
      '--bump-revision=1000000000',
      '--mark-compacted'
    ])
    expect(result).toMatchObject({
      bumpedBy: 1_000_000_000,
      markedCompacted: true,
      warnings: [],
      tool: { name: 'etcdutl', version: '3.5.12' }
    })
    expect(statSync(dataDir).mode & 0o777).toBe(0o700)
  })

  it('trusts the help text, not the version: a 3.5.12 whose restore lacks the flags gets a warning instead', async () => {
    const fake = fakeEtcdutl('etcdutl-no-bump', false)
    const dataDir = join(dir, 'no-bump-fake')
    const result = await restoreSnapshot({
      tools: { ...etcdctl34, etcdutl: { path: fake.path, version: '3.5.12' } },
      snapshot,
      dataDir,
      name: 'n',
      initialAdvertisePeerUrls: 'https://10.0.0.9:2380',
      bumpRevision: 1_000_000_000
    })
    expect(fake.argv().some(a => a.startsWith('--bump-revision') || a === '--mark-compacted')).toBe(false)
    expect(result.bumpedBy).toBe(0)
    expect(result.warnings).toEqual([expect.stringMatching(/^etcdutl 3\.5\.12 cannot bump the revision/)])
    expect(fake.argv()).toContain('--initial-cluster=n=https://10.0.0.9:2380')
  })

  it("restores with the release's own tool into an existing empty dir, bumped when it can; etcd on it serves every key", async () => {
    const dataDir = mkdtempSync(join(dir, 'empty-'))
    const result = await restoreSnapshot({ tools: release, snapshot, dataDir, bumpRevision: 1_000_000_000 })
    expect(result.tool).toMatchObject({ name: RELEASE_TOOL, version: ETCD_VERSION })
    expect(result.warnings[0]).toMatch(
      /^no name or initial-cluster given: the restored member is 'default' at http:\/\/localhost:2380/
    )
    if (RESTORE_CAN_BUMP) {
      expect(result).toMatchObject({ bumpedBy: 1_000_000_000, markedCompacted: true })
      expect(result.warnings).toHaveLength(1)
    } else {
      expect(result.bumpedBy).toBe(0)
      expect(result.warnings[1]).toMatch(/cannot bump the revision .*3\.4\.27 and 3\.5\.10/)
    }
    expect(readdirSync(dataDir)).toEqual(['member'])
    expect(statSync(dataDir).mode & 0o777).toBe(0o700)
    const restored = await startEtcd({ dataDir })
    try {
      expect(await currentRevision(restored)).toBe(revision + (RESTORE_CAN_BUMP ? 1_000_000_000 : 0))
      const got = await readAll(restored)
      expect(got.size).toBe(live.size)
      for (const [key, value] of live) expect(got.get(key)?.equals(value)).toBe(true)
    } finally {
      await restored.stop()
    }
  })

  it('restores with the real etcdctl 3.4.23 into an existing empty dir; etcd on it serves every key', async () => {
    const dataDir = mkdtempSync(join(dir, 'empty-'))
    const result = await restoreSnapshot({ tools: etcdctl34, snapshot, dataDir, bumpRevision: 1_000_000_000 })
    // etcdctl 3.4.23 has no bump flags (it would fail on an unknown flag): the restore runs without and warns.
    expect(result.bumpedBy).toBe(0)
    expect(result.warnings).toHaveLength(2)
    expect(result.warnings[0]).toMatch(
      /^no name or initial-cluster given: the restored member is 'default' at http:\/\/localhost:2380/
    )
    expect(result.warnings[1]).toMatch(/^etcdctl 3\.4\.23 cannot bump the revision .*3\.4\.27 and 3\.5\.10/)
    expect(readdirSync(dataDir)).toEqual(['member'])
    expect(statSync(dataDir).mode & 0o777).toBe(0o700)
    // Served by the etcd of the tool's own release: etcd 3.6 panics applying the membership a 3.4 restore writes.
    const restored = await startEtcd({ dataDir, etcdBin: DEBIAN_ETCD })
    try {
      expect(await currentRevision(restored)).toBe(revision)
      const got = await readAll(restored)
      expect(got.size).toBe(live.size)
      for (const [key, value] of live) expect(got.get(key)?.equals(value)).toBe(true)
    } finally {
      await restored.stop()
    }
  })

  it('refuses a non-empty data dir and leaves it as it was', async () => {
    const dataDir = mkdtempSync(join(dir, 'busy-'))
    writeFileSync(join(dataDir, 'keep-me'), 'x')
    const attempt = restoreSnapshot({ tools: release, snapshot, dataDir })
    await expect(attempt).rejects.toThrow(ConfigurationError)
    await expect(attempt).rejects.toThrow(
      /is not empty \(keep-me\); restore into a new directory and swap it in while etcd is stopped$/
    )
    expect(readdirSync(dataDir)).toEqual(['keep-me'])
  })

  it("turns the tool's failure into one line and removes what it half wrote", async () => {
    const damaged = join(dir, 'damaged.db')
    const bytes = readFileSync(snapshot)
    bytes[bytes.length - 1]! ^= 0xff // the trailer no longer matches: the tool's own hash check refuses it
    writeFileSync(damaged, bytes)
    const absent = join(dir, 'never', 'data')
    await expect(restoreSnapshot({ tools: release, snapshot: damaged, dataDir: absent })).rejects.toThrow(EtcdError)
    const message = await restoreSnapshot({ tools: release, snapshot: damaged, dataDir: absent }).catch(
      (e: Error) => e.message
    )
    expect(message).toMatch(new RegExp(`^${RELEASE_TOOL} snapshot restore failed: .*sha256`))
    expect(message).not.toContain('\n')
    expect(existsSync(absent)).toBe(false)
    const empty = mkdtempSync(join(dir, 'empty-'))
    await expect(restoreSnapshot({ tools: release, snapshot: damaged, dataDir: empty })).rejects.toThrow(EtcdError)
    expect(readdirSync(empty)).toEqual([])
  })

  it('refuses bump and mark-compacted out of step, and etcdctl 3.6 (which has no restore)', async () => {
    const dataDir = join(dir, 'never-2')
    await expect(
      restoreSnapshot({ tools: release, snapshot, dataDir, bumpRevision: 0, markCompacted: true })
    ).rejects.toThrow(/^mark-compacted needs bump-revision > 0/)
    await expect(
      restoreSnapshot({ tools: release, snapshot, dataDir, bumpRevision: 5, markCompacted: false })
    ).rejects.toThrow(/^bump-revision needs mark-compacted/)
    await expect(
      restoreSnapshot({ tools: { etcdctl: { path: ETCDCTL_BIN, version: '3.6.4' } }, snapshot, dataDir })
    ).rejects.toThrow(/^etcdctl 3\.6\.4 has no 'snapshot restore'; install etcdutl/)
    expect(existsSync(dataDir)).toBe(false)
  })
})

describe('resolveMembership', () => {
  it('derives what is missing from what is given', () => {
    expect(resolveMembership({ name: 'cp1', initialAdvertisePeerUrls: 'https://10.0.0.1:2380' })).toEqual({
      name: 'cp1',
      initialCluster: 'cp1=https://10.0.0.1:2380',
      initialAdvertisePeerUrls: 'https://10.0.0.1:2380',
      defaulted: false
    })
    expect(resolveMembership({ initialCluster: 'cp1=https://10.0.0.1:2380' })).toMatchObject({
      name: 'cp1',
      initialAdvertisePeerUrls: 'https://10.0.0.1:2380'
    })
    expect(
      resolveMembership({ name: 'cp2', initialCluster: 'cp1=https://10.0.0.1:2380, cp2=https://10.0.0.2:2380' })
    ).toEqual({
      name: 'cp2',
      initialCluster: 'cp1=https://10.0.0.1:2380,cp2=https://10.0.0.2:2380',
      initialAdvertisePeerUrls: 'https://10.0.0.2:2380',
      defaulted: false
    })
    expect(resolveMembership({}).defaulted).toBe(true)
  })

  it.each([
    [
      { initialCluster: 'a=https://10.0.0.1:2380,b=https://10.0.0.2:2380' },
      /^initial-cluster lists 2 members \(a, b\); set name/
    ],
    [{ name: 'c', initialCluster: 'a=https://10.0.0.1:2380' }, /^name 'c' is not in initial-cluster \(a\)/],
    [
      { name: 'a', initialCluster: 'a=https://10.0.0.1:2380', initialAdvertisePeerUrls: 'https://10.0.0.9:2380' },
      /must equal a's URLs in initial-cluster/
    ],
    [{ initialCluster: 'https://10.0.0.1:2380' }, /is not name=peerURL/],
    [{ name: 'a', initialAdvertisePeerUrls: '10.0.0.1:2380' }, /must be http\(s\):\/\/host:port|is not a URL/],
    [{ name: 'a' }, /^set initial-advertise-peer-urls .* too, or give initial-cluster$/],
    [{ initialAdvertisePeerUrls: 'https://10.0.0.1:2380' }, /^set name .* too, or give initial-cluster$/]
  ])('refuses %j', (opts, expected) => {
    expect(() => resolveMembership(opts)).toThrow(ConfigurationError)
    expect(() => resolveMembership(opts)).toThrow(expected)
  })
})

test('creates missing parent directories of the data dir', async () => {
  const dataDir = join(dir, 'deep', 'er', 'data')
  mkdirSync(join(dir, 'deep'))
  await restoreSnapshot({
    tools: release,
    snapshot,
    dataDir,
    name: 'x',
    initialAdvertisePeerUrls: 'http://127.0.0.1:2380'
  })
  expect(readdirSync(dataDir)).toEqual(['member'])
})
