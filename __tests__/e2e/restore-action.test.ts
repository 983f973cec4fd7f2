/**
 * The restore action end to end, run the way a runner runs it: a seeded TLS etcd 3.4 member is backed up by the
 * backup action through the artifact emulator, then restored by the restore action through the real @actions/artifact
 * download path (same run by name, another run by id), and etcd booted on the restored data dir serves every key and
 * value the source had. Every failure is one line and leaves no plaintext behind.
 */
import { execFileSync } from 'node:child_process'
import {
  chmodSync,
  copyFileSync,
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
import { dirname, join } from 'node:path'
import { ROOT, runAction, runStep, type ActionRun } from '../harness/action-runner.js'
import { startArtifactService, type ArtifactService } from '../harness/artifact-service.js'
import { ETCD_BIN_DIR, etcdAtLeast, RESTORE_CAN_BUMP, startEtcd, stopAll, type EtcdMember } from '../harness/etcd.js'
import { makePki, type Pki } from '../harness/pki.js'
import { currentRevision, readAll, seedKubernetes } from '../harness/seed.js'
import { expectDataDirServes } from '../harness/restored.js'
import { waitFor } from '../harness/faults.js'

const RESTORE_YML = join(ROOT, 'restore', 'action.yml')
const PASSPHRASE = 'correct horse battery staple, restored'

let dir: string
let pki: Pki
let member: EtcdMember
let service: ArtifactService
let identity: string
let live: Map<string, Buffer>
let ageBackup: ActionRun
let passBackup: ActionRun

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'restore-action-test-'))
  pki = await makePki(join(dir, 'pki'))
  member = await startEtcd({ pki })
  await seedKubernetes(member, { objects: 800, seed: 21 })
  service = await startArtifactService()
  const keyFile = join(dir, 'key.txt')
  execFileSync('age-keygen', ['-o', keyFile], { stdio: 'ignore' })
  identity = readFileSync(keyFile, 'utf8')
  const recipient = execFileSync('age-keygen', ['-y', keyFile], { encoding: 'utf8' }).trim()
  const tls = { endpoints: member.clientUrl, cacert: pki.caCert, cert: pki.clientCert, key: pki.clientKey }
  const [age, pass] = await Promise.all([
    runAction({ inputs: { ...tls, recipients: recipient, 'artifact-name': 'rt-age' }, env: service.env }),
    runAction({
      inputs: { ...tls, passphrase: PASSPHRASE, compression: 'gzip', 'artifact-name': 'rt-pass' },
      env: service.env
    })
  ])
  for (const run of [age.main, pass.main])
    if (run.code !== 0) throw new Error(`backup failed: ${run.error}\n${run.log}`)
  ageBackup = age.main
  passBackup = pass.main
  live = await readAll(member)
})

afterAll(async () => {
  await service?.stop()
  await stopAll()
  rmSync(dir, { recursive: true, force: true })
})

/** The restore step, then (separately, so a test can look in between) its post step. */
function restoreStep(
  inputs: Record<string, string>,
  env: Record<string, string>,
  runnerTemp: string,
  from: 'src' | 'dist' = 'src'
): Promise<ActionRun> {
  return runStep('restore', { inputs, env, runnerTemp, actionYml: RESTORE_YML, from })
}
function postStep(
  main: ActionRun,
  env: Record<string, string>,
  runnerTemp: string,
  from: 'src' | 'dist' = 'src'
): Promise<ActionRun> {
  return runStep('restore-post', { env, runnerTemp, actionYml: RESTORE_YML, from }, main.state)
}

/** The log as a reader sees it: the runner consumes ::add-mask:: commands. */
function visible(log: string): string {
  return log
    .split('\n')
    .filter(l => !l.startsWith('::add-mask::'))
    .join('\n')
}

/** Uploads files as an artifact of the primary run, with the real client (for damaged backups). */
async function uploadArtifact(name: string, file: string, more: string[] = [], root = dirname(file)): Promise<void> {
  const saved = { ...process.env }
  const write = process.stdout.write
  Object.assign(process.env, service.newJobEnv())
  // The client logs through @actions/core, which writes workflow commands to stdout; keep the test output readable.
  process.stdout.write = (() => true) as typeof process.stdout.write
  try {
    const { uploadBackup } = await import('../../src/action/artifact.js')
    await uploadBackup({ name, files: [file, ...more], rootDirectory: root })
  } finally {
    process.stdout.write = write
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key]
    Object.assign(process.env, saved)
  }
}

describe('restore action', () => {
  it('restores by name with an identity into a data dir; etcd booted on it serves every key and value', async () => {
    const runnerTemp = mkdtempSync(join(dir, 'runner-'))
    const dataDir = join(dir, 'restored-age', 'data')
    const env = service.newJobEnv()
    const main = await restoreStep(
      {
        'artifact-name': 'rt-age',
        identity,
        'data-dir': dataDir,
        name: 'etcd-0',
        'initial-cluster': 'etcd-0=https://127.0.0.1:2380',
        'initial-cluster-token': 'restored-cluster'
      },
      env,
      runnerTemp
    )
    expect(main.error).toBeUndefined()
    expect(main.code).toBe(0)
    const o = main.outputs
    expect(o['revision']).toBe(ageBackup.outputs['revision'])
    expect(o['hash']).toBe(ageBackup.outputs['hash'])
    expect(o['total-keys']).toBe(ageBackup.outputs['total-keys'])
    // What the backup reports for the release: etcdutl 3.6's live keys, earlier releases' every bolt entry.
    if (etcdAtLeast('3.6.0')) expect(Number(o['total-keys'])).toBe(live.size)
    else expect(Number(o['total-keys'])).toBeGreaterThan(live.size)
    expect(o['snapshot-sha256']).toBe(ageBackup.outputs['snapshot-sha256'])
    expect(Number(o['live-keys'])).toBe(live.size)
    expect(o['data-dir']).toBe(dataDir)
    if (RESTORE_CAN_BUMP) {
      // Every pinned release bumps by default: no warning, and the log says so.
      expect(o['warnings']).toBe('')
      expect(main.log).toMatch(/restored member etcd-0 .*; revision bumped by 1000000000 and marked compacted/)
    } else {
      // A tool before --bump-revision: the restore goes ahead and says what that means.
      expect(o['warnings']).toMatch(/ cannot bump the revision .*informers.*restart every kube-apiserver/)
      expect(main.log).toMatch(/::warning::\S+ \S+ cannot bump the revision/)
    }
    expect(main.summary).toContain('restored and verified')
    expect(visible(main.log)).not.toContain(identity.split('\n').find(l => l.startsWith('AGE-SECRET-KEY-')))
    expect(statSync(dataDir).mode & 0o777).toBe(0o700)

    // The plaintext snapshot is there for later steps of the job, and gone after post; the data dir stays.
    const snapshotFile = o['snapshot-file'] as string
    expect(snapshotFile).toBe(join(runnerTemp, 'rt-age.db'))
    expect(statSync(snapshotFile).mode & 0o777).toBe(0o600)
    const post = await postStep(main, env, runnerTemp)
    expect(post.code).toBe(0)
    expect(existsSync(snapshotFile)).toBe(false)
    const privateDir = main.state['restore-private-dir']
    expect(privateDir).toMatch(new RegExp(`^${runnerTemp}/etcd-restore-`))
    expect(existsSync(privateDir!)).toBe(false)
    expect(existsSync(join(dataDir, 'member'))).toBe(true)

    await expectDataDirServes(dataDir, live, pki)
  })

  it("with Debian's real etcdctl 3.4.23 (no --bump-revision) and no etcdutl: restores without the bump and warns", async () => {
    const runnerTemp = mkdtempSync(join(dir, 'runner-'))
    const dataDir = join(dir, 'restored-3423', 'data')
    const env = service.newJobEnv()
    // Only Debian's tools on PATH: the release's etcdutl (3.5+) would be found and used otherwise.
    const path = (process.env['PATH'] ?? '')
      .split(':')
      .filter(d => d !== ETCD_BIN_DIR)
      .join(':')
    const main = await restoreStep(
      {
        'artifact-name': 'rt-age',
        identity,
        'data-dir': dataDir,
        name: 'etcd-0',
        'initial-cluster': 'etcd-0=https://127.0.0.1:2380',
        etcdctl: '/usr/bin/etcdctl'
      },
      { ...env, PATH: path },
      runnerTemp
    )
    expect(main.error).toBeUndefined()
    expect(main.code).toBe(0)
    expect(main.outputs['warnings']).toMatch(
      /^etcdctl 3\.4\.23 cannot bump the revision .*informers.*restart every kube-apiserver/
    )
    expect(main.log).toMatch(/::warning::etcdctl 3\.4\.23 cannot bump the revision/)
    // total-keys as etcdctl 3.4.23's snapshot status counts it: every bolt entry.
    expect(Number(main.outputs['total-keys'])).toBeGreaterThan(live.size)
    expect((await postStep(main, env, runnerTemp)).code).toBe(0)
    // Served by etcd 3.4.23 too: etcd 3.6 panics applying the membership a 3.4 restore writes.
    const restored = await startEtcd({ dataDir, pki, etcdBin: '/usr/bin/etcd' })
    try {
      expect(await currentRevision(restored)).toBe(Number(main.outputs['revision']))
      const got = await readAll(restored)
      expect(got.size).toBe(live.size)
      for (const [key, value] of live) expect(got.get(key)?.equals(value)).toBe(true)
    } finally {
      await restored.stop()
    }
  })

  it("restores another run's artifact by id with the passphrase; the plaintext lives until post", async () => {
    const runnerTemp = mkdtempSync(join(dir, 'runner-'))
    const outputDir = mkdtempSync(join(dir, 'out-'))
    const env = service.newRunEnv()
    const main = await restoreStep(
      {
        'artifact-id': passBackup.outputs['artifact-id'] as string,
        'run-id': String(service.runId),
        'github-token': service.githubToken,
        passphrase: PASSPHRASE,
        'output-dir': outputDir
      },
      env,
      runnerTemp
    )
    expect(main.error).toBeUndefined()
    expect(main.code).toBe(0)
    const snapshotFile = main.outputs['snapshot-file'] as string
    expect(snapshotFile).toBe(join(outputDir, 'rt-pass.db'))
    expect(readFileSync(snapshotFile).subarray(-32).toString('hex')).toBe(passBackup.outputs['snapshot-sha256'])
    expect(main.outputs['revision']).toBe(passBackup.outputs['revision'])
    expect(main.outputs['data-dir']).toBe('')
    expect(main.outputs['warnings']).toBe('')
    expect(visible(main.log)).not.toContain(PASSPHRASE)
    expect(visible(main.log)).not.toContain(service.githubToken)
    // The download went through the REST API of the other run.
    expect(service.requests.some(r => r.operation === 'DownloadArtifactZip')).toBe(true)

    const post = await postStep(main, env, runnerTemp)
    expect(post.code).toBe(0)
    expect(readdirSync(outputDir)).toEqual([])
  })

  it('runs from the bundled dist/ the way a runner runs it', async () => {
    expect(existsSync(join(ROOT, 'dist', 'restore', 'index.js'))).toBe(true)
    expect(existsSync(join(ROOT, 'dist', 'restore-post', 'index.js'))).toBe(true)
    const runnerTemp = mkdtempSync(join(dir, 'runner-'))
    const env = service.newJobEnv()
    // identity may also be the path of a key file on the runner
    const main = await restoreStep(
      { 'artifact-name': 'rt-age', identity: join(dir, 'key.txt') },
      env,
      runnerTemp,
      'dist'
    )
    expect(main.error).toBeUndefined()
    expect(main.code).toBe(0)
    expect(main.outputs['revision']).toBe(ageBackup.outputs['revision'])
    expect(existsSync(main.outputs['snapshot-file'] as string)).toBe(true)
    const post = await postStep(main, env, runnerTemp, 'dist')
    expect(post.code).toBe(0)
    expect(existsSync(main.outputs['snapshot-file'] as string)).toBe(false)
  })

  describe('fails with one line and leaves no plaintext behind', () => {
    let otherIdentity: string
    beforeAll(async () => {
      const other = join(dir, 'other-key.txt')
      execFileSync('age-keygen', ['-o', other], { stdio: 'ignore' })
      otherIdentity = readFileSync(other, 'utf8')
      // Damaged copies of the age backup, stored as artifacts of their own.
      const original = readFileSync(ageBackup.outputs['snapshot-file'] as string)
      const tampered = Buffer.from(original)
      tampered[Math.floor(tampered.length / 2)]! ^= 0x01
      for (const [name, data] of [
        ['rt-tampered', tampered],
        ['rt-truncated', original.subarray(0, original.length - 1000)]
      ] as const) {
        const folder = join(dir, name)
        mkdirSync(folder)
        writeFileSync(join(folder, `${name}.db.zst.age`), data)
        await uploadArtifact(name, join(folder, `${name}.db.zst.age`))
      }
      // The real backup and its manifest at the top, and a second manifest naming another file further down.
      const folder = join(dir, 'rt-two-manifests')
      mkdirSync(join(folder, 'nested'), { recursive: true })
      const backupFile = join(folder, 'rt-two-manifests.db.zst.age')
      writeFileSync(backupFile, original)
      writeFileSync(join(folder, 'manifest.json'), JSON.stringify({ file: { name: 'rt-two-manifests.db.zst.age' } }))
      writeFileSync(join(folder, 'nested', 'other.db'), 'not a snapshot')
      writeFileSync(join(folder, 'nested', 'manifest.json'), JSON.stringify({ file: { name: 'other.db' } }))
      await uploadArtifact(
        'rt-two-manifests',
        backupFile,
        [join(folder, 'manifest.json'), join(folder, 'nested', 'other.db'), join(folder, 'nested', 'manifest.json')],
        folder
      )
    })

    const nonEmpty = (): string => {
      const d = mkdtempSync(join(dir, 'busy-'))
      copyFileSync(join(dir, 'key.txt'), join(d, 'old-file'))
      return d
    }

    it.each([
      [
        'a wrong identity',
        () => ({ 'artifact-name': 'rt-age', identity: otherIdentity }),
        /^cannot decrypt rt-age\.db\.zst\.age: no identity matches this file \(wrong key\?\)$/,
        true
      ],
      [
        'a wrong passphrase',
        () => ({ 'artifact-name': 'rt-pass', passphrase: 'not the passphrase at all' }),
        /^cannot decrypt rt-pass\.db\.gz\.age: wrong passphrase/,
        true
      ],
      [
        'tampered ciphertext',
        () => ({ 'artifact-name': 'rt-tampered', identity }),
        /^cannot decrypt rt-tampered\.db\.zst\.age: file was tampered with \(chunk \d+ failed authentication\)$/,
        true
      ],
      [
        'truncated ciphertext',
        () => ({ 'artifact-name': 'rt-truncated', identity }),
        /^cannot decrypt rt-truncated\.db\.zst\.age: file is truncated/,
        true
      ],
      [
        'a missing artifact',
        () => ({ 'artifact-name': 'no-such-backup', identity }),
        /^Download of artifact "no-such-backup" failed: .*check the name or id/,
        true
      ],
      [
        'a non-empty data dir',
        () => ({ 'artifact-name': 'rt-age', identity, 'data-dir': nonEmpty() }),
        /^data-dir: .* is not empty \(old-file\); restore into a new directory/,
        false
      ],
      [
        'both identity and passphrase',
        () => ({ 'artifact-name': 'rt-age', identity, passphrase: PASSPHRASE }),
        /^set either identity or passphrase, not both$/,
        false
      ],
      [
        'etcd flags without a data dir',
        () => ({ 'artifact-name': 'rt-age', identity, name: 'node1' }),
        /^name applies only to a restore: set data-dir too/,
        false
      ],
      [
        'a member name with a newline',
        () => ({ 'artifact-name': 'rt-age', identity, 'data-dir': join(dir, 'never-restored'), name: 'cp1\nevil' }),
        /^name: member name "cp1\\nevil" must not contain white space, control characters, ',' or '='; use the node name exactly as etcd's --name has it$/,
        false
      ],
      [
        'a manifest.json below the top level',
        () => ({ 'artifact-name': 'rt-two-manifests', identity }),
        /^the artifact holds 2 manifest\.json files \((manifest\.json, nested\/manifest\.json|nested\/manifest\.json, manifest\.json)\); a backup made by etcd-snapshot-action has one, at the top/,
        true
      ]
    ])('%s', async (_what, inputs, expected, madePrivateDir) => {
      const runnerTemp = mkdtempSync(join(dir, 'runner-'))
      const outputDir = mkdtempSync(join(dir, 'out-'))
      const env = service.newJobEnv()
      const main = await restoreStep({ ...inputs(), 'output-dir': outputDir }, env, runnerTemp)
      expect(main.code).not.toBe(0)
      expect(main.error).toMatch(expected)
      expect(main.error).not.toContain('\n')
      expect(readdirSync(outputDir)).toEqual([])
      const post = await postStep(main, env, runnerTemp)
      expect(post.code).toBe(0)
      // Input errors refuse before anything is made; every later failure had made its private dir, and post removed it.
      const privateDir = main.state['restore-private-dir']
      if (madePrivateDir) {
        expect(privateDir).toMatch(new RegExp(`^${runnerTemp}/etcd-restore-`))
        expect(existsSync(privateDir!)).toBe(false)
      } else {
        expect(privateDir).toBeUndefined()
      }
      expect(readdirSync(runnerTemp).filter(f => f.startsWith('etcd-restore-') || f.endsWith('.db'))).toEqual([])
    })
  })

  describe('removes only what this run created', () => {
    it.each([
      [
        'a file',
        (at: string) => writeFileSync(at, 'an older snapshot the user keeps'),
        (at: string) => expect(readFileSync(at, 'utf8')).toBe('an older snapshot the user keeps')
      ],
      [
        'a directory',
        (at: string) => {
          mkdirSync(at)
          writeFileSync(join(at, 'inside'), 'mine')
        },
        (at: string) => {
          expect(readdirSync(at)).toEqual(['inside'])
          expect(readFileSync(join(at, 'inside'), 'utf8')).toBe('mine')
        }
      ]
    ])(
      '%s already at <output-dir>/<name>.db is refused in one line and left as it was, by main and post',
      async (_what, make, check) => {
        const runnerTemp = mkdtempSync(join(dir, 'runner-'))
        const outputDir = mkdtempSync(join(dir, 'out-'))
        const taken = join(outputDir, 'rt-age.db')
        make(taken)
        const env = service.newJobEnv()
        const main = await restoreStep(
          { 'artifact-name': 'rt-age', identity, 'output-dir': outputDir },
          env,
          runnerTemp
        )
        expect(main.code).toBe(1)
        // Neither main's failure nor the post step may remove what the user had there.
        check(taken)
        expect(main.error).toBe(`${taken} already exists; remove it or set output-dir to another directory`)
        expect(main.log.match(/^::error::/gm)).toHaveLength(1)
        expect(main.log).not.toMatch(/\n\s+at /)
        expect(main.state['restore-snapshot-file']).toBeUndefined()
        const post = await postStep(main, env, runnerTemp)
        expect(post.code).toBe(0)
        expect(post.log).not.toContain(taken)
        check(taken)
        expect(readdirSync(outputDir)).toEqual(['rt-age.db'])
        const privateDir = main.state['restore-private-dir']
        expect(privateDir).toMatch(new RegExp(`^${runnerTemp}/etcd-restore-`))
        expect(existsSync(privateDir!)).toBe(false)
      }
    )

    it('a verified snapshot takes its name only when complete; post removes it and the staging dir it recorded', async () => {
      const runnerTemp = mkdtempSync(join(dir, 'runner-'))
      const outputDir = mkdtempSync(join(dir, 'out-'))
      const env = service.newJobEnv()
      const main = await restoreStep({ 'artifact-name': 'rt-age', identity, 'output-dir': outputDir }, env, runnerTemp)
      expect(main.code).toBe(0)
      const staging = main.state['restore-staging-dir']
      expect(staging).toMatch(new RegExp(`^${outputDir}/\\.rt-age\\.db\\.partial-`))
      expect(existsSync(staging!)).toBe(false)
      expect(main.state['restore-snapshot-file']).toBe(join(outputDir, 'rt-age.db'))
      expect(readdirSync(outputDir)).toEqual(['rt-age.db'])
      const post = await postStep(main, env, runnerTemp)
      expect(post.code).toBe(0)
      expect(readdirSync(outputDir)).toEqual([])
    })
  })

  describe('cancelled', () => {
    it('mid-restore (SIGTERM): an empty data dir that was there stays, empty; the plaintext and its dirs go', async () => {
      const runnerTemp = mkdtempSync(join(dir, 'runner-'))
      const outputDir = mkdtempSync(join(dir, 'out-'))
      // An empty data dir the user made (it may be a mount point): the restore may fill it, never remove it.
      const dataDir = mkdtempSync(join(dir, 'mount-'))
      chmodSync(dataDir, 0o750)
      const env = service.newJobEnv()
      let pid: number | undefined
      const running = runStep('restore', {
        inputs: { 'artifact-name': 'rt-age', identity, 'output-dir': outputDir, 'data-dir': dataDir },
        env,
        runnerTemp,
        actionYml: RESTORE_YML,
        onStart: p => (pid = p)
      })
      await waitFor('the tool to be restoring into the data dir', () =>
        readdirSync(dataDir).some(n => n.startsWith('.etcd-restore-')) ? true : undefined
      )
      process.kill(pid!, 'SIGTERM')
      const main = await running
      expect(main.code).toBe(1)
      expect(main.error).toBe('cancelled (SIGTERM); the plaintext snapshot was removed')
      expect(readdirSync(dataDir)).toEqual([])
      expect(statSync(dataDir).mode & 0o777).toBe(0o750)
      expect(readdirSync(outputDir)).toEqual([])
      const privateDir = main.state['restore-private-dir']
      expect(privateDir).toMatch(new RegExp(`^${runnerTemp}/etcd-restore-`))
      expect(existsSync(privateDir!)).toBe(false)
      const post = await postStep(main, env, runnerTemp)
      expect(post.code).toBe(0)
      expect(existsSync(dataDir)).toBe(true)
    })
  })

  describe('skip-hash-check: a raw member database (a copy of member/snap/db, no sha256 trailer)', () => {
    let raw: Map<string, Buffer>
    beforeAll(async () => {
      const source = await startEtcd()
      await seedKubernetes(source, { objects: 200, seed: 33 })
      raw = await readAll(source)
      await source.stop()
      const folder = join(dir, 'rt-raw')
      mkdirSync(folder)
      copyFileSync(join(source.dataDir, 'member', 'snap', 'db'), join(folder, 'rt-raw.db'))
      await uploadArtifact('rt-raw', join(folder, 'rt-raw.db'))
    })

    it('is refused without it, in one line that says what the file is and how to restore it', async () => {
      const runnerTemp = mkdtempSync(join(dir, 'runner-'))
      const outputDir = mkdtempSync(join(dir, 'out-'))
      const env = service.newJobEnv()
      const main = await restoreStep({ 'artifact-name': 'rt-raw', 'output-dir': outputDir }, env, runnerTemp)
      expect(main.code).toBe(1)
      expect(main.error).toMatch(
        /^the decrypted snapshot is not sound: no sha256 trailer .*member\/snap\/db.*skip-hash-check/
      )
      expect(main.error).not.toContain('\n')
      expect(readdirSync(outputDir)).toEqual([])
    })

    it('restores with skip-hash-check: true; etcd booted on the data dir serves every key', async () => {
      const runnerTemp = mkdtempSync(join(dir, 'runner-'))
      const dataDir = join(dir, 'restored-raw', 'data')
      const env = service.newJobEnv()
      const main = await restoreStep(
        { 'artifact-name': 'rt-raw', 'skip-hash-check': 'true', 'data-dir': dataDir, 'bump-revision': '0' },
        env,
        runnerTemp
      )
      expect(main.error).toBeUndefined()
      expect(main.code).toBe(0)
      expect(main.outputs['snapshot-sha256']).toBe('')
      expect(Number(main.outputs['live-keys'])).toBe(raw.size)
      const post = await postStep(main, env, runnerTemp)
      expect(post.code).toBe(0)
      await expectDataDirServes(dataDir, raw)
    })
  })
})
