/**
 * The restore drill against real etcd 3.4: it restores a snapshot, boots a throwaway member on loopback and compares
 * what etcd serves with what the snapshot should hold. It passes on a good snapshot and fails on one whose user data
 * was changed under a recomputed sha256 trailer (which the trailer check, etcd's own `snapshot status` and a
 * structural walk cannot see).
 */
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { chmodSync, copyFileSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { findEtcdBinary, runRestoreDrill } from '../../src/backup/drill.js'
import { resolveTools, type EtcdTools } from '../../src/etcd/tools.js'
import { ConfigurationError, VerificationError } from '../../src/errors.js'
import { verifySnapshot } from '../../src/verify/index.js'
import { runAction } from '../harness/action-runner.js'
import {
  ETCD_BIN,
  ETCD_VERSION,
  ETCDCTL_BIN,
  ETCDUTL_BIN,
  etcdctl,
  startEtcd,
  stopAll,
  type EtcdMember
} from '../harness/etcd.js'
import { makePki } from '../harness/pki.js'
import { SecretScan } from '../harness/secrets.js'
import { countKeys, currentRevision, enableAuth, put, seedKubernetes } from '../harness/seed.js'
import { memberHashKv, saveSnapshot, toolStatus } from '../harness/snapshots.js'

const MARKER_KEY = '/registry/configmaps/default/drill-marker'
const MARKER_VALUE = 'drill-marker-value-0123456789abcdef'

let dir: string
let member: EtcdMember
let tools: EtcdTools
let snapshot: string
let expected: { revision: number; liveKeys: number; hashKV: number }

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'drill-test-'))
  member = await startEtcd()
  await seedKubernetes(member, { objects: 600, seed: 11 })
  await put(member, MARKER_KEY, MARKER_VALUE)
  snapshot = join(dir, 'snapshot.db')
  await saveSnapshot(member, snapshot)
  const revision = await currentRevision(member)
  // The truth the drill is held to comes from the live member, not from the file under test.
  const [hash] = await memberHashKv(member, revision)
  expected = { revision, liveKeys: await countKeys(member), hashKV: hash!.hash }
  tools = await resolveTools('etcdctl', 'etcdutl')
})

afterAll(async () => {
  await stopAll()
  rmSync(dir, { recursive: true, force: true })
})

/** Processes whose command line mentions this path: a drill must leave none behind. */
function processesUsing(path: string): string[] {
  const found: string[] = []
  for (const pid of readdirSync('/proc').filter(p => /^\d+$/.test(p))) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ')
      if (cmdline.includes(path)) found.push(`${pid}: ${cmdline}`)
    } catch {
      // gone meanwhile
    }
  }
  return found
}

describe('restore drill', () => {
  it('passes on a good snapshot: same revision, live keys and HashKV as the member, then leaves nothing behind', async () => {
    const etcd = await findEtcdBinary('etcd')
    expect(etcd).toEqual({ path: ETCD_BIN, version: ETCD_VERSION })
    // The values main hands the drill come from the native verifier; they must agree with the member.
    const report = await verifySnapshot(snapshot)
    expect(report.valid).toBe(true)
    expect({ revision: report.status.revision, liveKeys: report.liveKeys, hashKV: report.hashKV?.hash }).toEqual(
      expected
    )

    const workDir = mkdtempSync(join(dir, 'work-'))
    const result = await runRestoreDrill({ tools, etcdBinary: etcd.path, snapshot, expected, workDir })
    expect(result.revision).toBe(expected.revision)
    expect(result.liveKeys).toBe(expected.liveKeys)
    expect(result.hashKV.hash).toBe(expected.hashKV)
    expect(result.etcdVersion).toBe(ETCD_VERSION)
    for (const phase of ['restore', 'boot', 'checks', 'stop'] as const)
      expect(result.durations[phase]).toBeGreaterThan(0)
    expect(result.durations.total).toBeGreaterThanOrEqual(
      result.durations.restore + result.durations.boot + result.durations.checks
    )
    expect(readdirSync(workDir)).toEqual([])
    expect(processesUsing(workDir)).toEqual([])
    // The source member was never touched: a drill member that joined it would show up as a second member.
    const list = await etcdctl(member, ['member', 'list', '-w', 'json'])
    expect((JSON.parse(list.stdout) as { members: unknown[] }).members).toHaveLength(1)
    expect(await currentRevision(member)).toBe(expected.revision)
    console.info(`drill durations (ms): ${JSON.stringify(result.durations)}`)
  })

  it('fails on user data altered under a recomputed trailer, which the trailer and etcd status accept', async () => {
    const altered = join(dir, 'altered.db')
    copyFileSync(snapshot, altered)
    const bytes = readFileSync(altered)
    const at = bytes.indexOf(MARKER_VALUE)
    expect(at).toBeGreaterThan(0)
    expect(bytes.indexOf(MARKER_VALUE, at + 1)).toBe(-1)
    bytes[at] = bytes[at]! ^ 0x20 // 'd' → 'D': same length, still valid protobuf
    const data = bytes.subarray(0, bytes.length - 32)
    createHash('sha256')
      .update(data)
      .digest()
      .copy(bytes, bytes.length - 32)
    writeFileSync(altered, bytes)

    // Blind spots the drill closes: the trailer matches, etcd's own status accepts the file, revision is unchanged.
    const status = await toolStatus(altered)
    expect(status.revision).toBe(expected.revision)
    const native = await verifySnapshot(altered)
    expect(native.valid).toBe(true)

    const workDir = mkdtempSync(join(dir, 'work-'))
    const drill = runRestoreDrill({ tools, etcdBinary: ETCD_BIN, snapshot: altered, expected, workDir })
    await expect(drill).rejects.toThrow(VerificationError)
    await expect(drill).rejects.toThrow(
      new RegExp(
        `^restore drill failed: HashKV at revision ${expected.revision} is \\d+ on the restored etcd but ${expected.hashKV} for the verified snapshot`
      )
    )
    const message = await drill.catch((e: Error) => e.message)
    expect(message).not.toContain('\n')
    expect(readdirSync(workDir)).toEqual([])
    expect(processesUsing(workDir)).toEqual([])
  })

  it('fails when the snapshot holds a different revision or key count than expected', async () => {
    const workDir = mkdtempSync(join(dir, 'work-'))
    const drill = runRestoreDrill({
      tools,
      etcdBinary: ETCD_BIN,
      snapshot,
      expected: { revision: expected.revision - 1, liveKeys: expected.liveKeys + 1 },
      workDir
    })
    await expect(drill).rejects.toThrow(
      `restore drill failed: the restored etcd serves revision ${expected.revision}, the snapshot has ${expected.revision - 1}; the restored etcd holds ${expected.liveKeys - 1} live keys at revision ${expected.revision - 1}, the snapshot ${expected.liveKeys + 1}`
    )
    expect(readdirSync(workDir)).toEqual([])
  })

  it('says clearly when etcd is missing', async () => {
    const missing = findEtcdBinary('etcd-not-installed')
    await expect(missing).rejects.toThrow(ConfigurationError)
    await expect(missing).rejects.toThrow(
      /^etcd: 'etcd-not-installed' was not found; .*install etcd-server.*set the etcd input.*restore-drill: false$/
    )
  })
})

describe('restore drill with etcd auth enabled', () => {
  const ROOT_PASSWORD = 'drill-root-password-5f3a'
  let authDir: string
  let authMember: EtcdMember
  let authSnapshot: string
  let authExpected: { revision: number; liveKeys: number; hashKV: number }

  beforeAll(async () => {
    authDir = mkdtempSync(join(dir, 'auth-'))
    authMember = await startEtcd({ pki: await makePki(join(authDir, 'pki')), name: 'auth' })
    await seedKubernetes(authMember, { objects: 200, seed: 12 })
    await enableAuth(authMember, ROOT_PASSWORD)
    const rootEnv = { ETCDCTL_USER: 'root', ETCDCTL_PASSWORD: ROOT_PASSWORD }
    authSnapshot = join(authDir, 'snapshot.db')
    await saveSnapshot(authMember, authSnapshot, rootEnv)
    const report = await verifySnapshot(authSnapshot)
    authExpected = { revision: report.status.revision, liveKeys: report.liveKeys, hashKV: report.hashKV!.hash }
  })

  it('the restored member keeps auth on: the drill authenticates with the credentials it is given', async () => {
    const workDir = mkdtempSync(join(authDir, 'work-'))
    const report = await runRestoreDrill({
      tools,
      etcdBinary: ETCD_BIN,
      snapshot: authSnapshot,
      expected: authExpected,
      workDir,
      credentials: { username: 'root', password: ROOT_PASSWORD }
    })
    expect(report.hashKV.hash).toBe(authExpected.hashKV)
    expect(report.liveKeys).toBe(authExpected.liveKeys)
    expect(readdirSync(workDir)).toEqual([])
  })

  it('without a username (a client certificate named the user) it says what to set, in one line', async () => {
    const workDir = mkdtempSync(join(authDir, 'work-'))
    const drill = runRestoreDrill({
      tools,
      etcdBinary: ETCD_BIN,
      snapshot: authSnapshot,
      expected: authExpected,
      workDir
    })
    await expect(drill).rejects.toThrow(ConfigurationError)
    // 3.4 serves endpoint status without a user, so its get is the first to ask; 3.5+ already ask at status.
    await expect(drill).rejects.toThrow(
      /^restore drill: etcdctl (get|endpoint status) against the restored etcd failed: the snapshot has etcd auth enabled, so the restored etcd asks for a user: set the username and password inputs \(a user with the root role\), or set restore-drill: false$/
    )
    expect(readdirSync(workDir)).toEqual([])
  })

  it('the action with restore-drill: true, username and password passes; no child sees an input, secret or runtime token', async () => {
    // Wrappers that write their environment to a file, then run the real etcdctl and etcd (each a child of ours).
    const envDir = mkdtempSync(join(authDir, 'env-'))
    const wrap = (name: string, real: string): string => {
      const wrapper = join(authDir, name)
      writeFileSync(wrapper, `#!/bin/sh\nenv > "${envDir}/${name}-$$"\nexec ${real} "$@"\n`)
      chmodSync(wrapper, 0o755)
      return wrapper
    }
    const pki = authMember.pki!
    const identity = join(authDir, 'key.txt')
    execFileSync('age-keygen', ['-o', identity], { stdio: 'ignore' })
    const inputs = {
      endpoints: authMember.clientUrl,
      cacert: pki.pem('caCert'),
      cert: pki.pem('clientCert'),
      key: pki.pem('clientKey'),
      username: 'root',
      password: ROOT_PASSWORD,
      passphrase: 'drill-passphrase-9c1e7d',
      etcdctl: wrap('etcdctl', ETCDCTL_BIN),
      ...(ETCDUTL_BIN ? { etcdutl: wrap('etcdutl', ETCDUTL_BIN) } : {}),
      etcd: wrap('etcd', ETCD_BIN),
      'restore-drill': 'true',
      upload: 'false',
      'output-dir': mkdtempSync(join(authDir, 'out-')),
      'artifact-name': 'drill-auth'
    }
    const tokens = {
      ACTIONS_RUNTIME_TOKEN: 'runtime-token-3b9f0c2a71',
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'id-token-request-8e21d4',
      // What the restore action would hold; a runner passes every INPUT_ of a step to every process it starts.
      INPUT_IDENTITY: readFileSync(identity, 'utf8')
    }
    const { main, post } = await runAction({ inputs, env: tokens })
    expect(main.error).toBeUndefined()
    expect(main.code).toBe(0)
    expect(main.log).toMatch(
      new RegExp(
        `restored and served by etcd ${ETCD_VERSION.replace(/\./g, '\\.')} in [\\d.]+ s: revision \\d+, \\d+ live keys, HashKV \\d+`
      )
    )
    expect(post.code).toBe(0)

    const dumps = readdirSync(envDir)
    // etcdctl (version, the drill's checks; on 3.4 also snapshot status and restore), etcdutl on 3.5+ (snapshot
    // status, restore; 3.6 also hashkv) and etcd (--version, the member). Status and HashKV of the members go over
    // the action's own gRPC client, in its own process.
    const tools = dumps.filter(f => f.startsWith('etcdctl-') || f.startsWith('etcdutl-'))
    expect(tools.length).toBeGreaterThanOrEqual(6)
    if (ETCDUTL_BIN) expect(dumps.filter(f => f.startsWith('etcdutl-')).length).toBeGreaterThanOrEqual(2)
    expect(dumps.filter(f => f.startsWith('etcd-')).length).toBeGreaterThanOrEqual(2)
    const secrets = new SecretScan().addSecretInputs(inputs).addAgeIdentities('age identity', identity)
    for (const [name, value] of Object.entries(tokens)) secrets.add(name, value)
    for (const file of dumps) {
      const names = readFileSync(join(envDir, file), 'utf8')
        .split('\n')
        .map(l => l.split('=')[0])
      expect({ file, names: names.filter(n => /^(INPUT_|ACTIONS_|STATE_|GITHUB_)/.test(n!)) }).toEqual({
        file,
        names: []
      })
      // The drill's etcdctl gets the password it needs, by environment: anything else of ours it must not see.
      secrets.expectClean({
        texts: { [file]: readFileSync(join(envDir, file), 'utf8').replace(/^ETCDCTL_PASSWORD=.*$/m, '') }
      })
    }
    secrets.expectClean({ runs: { main, post }, trees: [inputs['output-dir']] })
  })
})
