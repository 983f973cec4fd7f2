/**
 * The restore action end to end, run the way a runner runs it: a seeded TLS etcd 3.4 member is backed up by the
 * backup action through the artifact emulator, then restored by the restore action through the real @actions/artifact
 * download path (same run by name, another run by id), and etcd booted on the restored data dir serves every key and
 * value the source had. Every failure is one line and leaves no plaintext behind.
 */
import { execFileSync } from 'node:child_process'
import {
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
import { ROOT, runAction, runStep, type ActionRun } from './support/action-runner.js'
import { startArtifactService, type ArtifactService } from './support/artifact-service.js'
import { startEtcd, stopAll, type EtcdMember } from './support/etcd.js'
import { makePki, type Pki } from './support/pki.js'
import { readAll, seedKubernetes } from './support/seed.js'
import { expectDataDirServes } from './support/restored.js'

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

/** Uploads one file as an artifact of the primary run, with the real client (for damaged backups). */
async function uploadArtifact(name: string, file: string): Promise<void> {
  const saved = { ...process.env }
  const write = process.stdout.write
  Object.assign(process.env, service.newJobEnv())
  // The client logs through @actions/core, which writes workflow commands to stdout; keep the test output readable.
  process.stdout.write = (() => true) as typeof process.stdout.write
  try {
    const { uploadBackup } = await import('../src/artifact.js')
    await uploadBackup({ name, files: [file], rootDirectory: dirname(file) })
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
    expect(o['snapshot-sha256']).toBe(ageBackup.outputs['snapshot-sha256'])
    expect(Number(o['live-keys'])).toBe(live.size)
    expect(o['data-dir']).toBe(dataDir)
    // etcdctl 3.4.23 predates --bump-revision: the restore goes ahead and says what that means.
    expect(o['warnings']).toMatch(
      /^etcdctl 3\.4\.23 cannot bump the revision .*informers.*restart every kube-apiserver/
    )
    expect(main.log).toMatch(/::warning::etcdctl 3\.4\.23 cannot bump the revision/)
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
    expect(existsSync(main.state['restore-private-dir'] as string)).toBe(false)
    expect(existsSync(join(dataDir, 'member'))).toBe(true)

    await expectDataDirServes(dataDir, live, pki)
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
        /^cannot decrypt rt-age\.db\.zst\.age: no identity matches this file \(wrong key\?\)$/
      ],
      [
        'a wrong passphrase',
        () => ({ 'artifact-name': 'rt-pass', passphrase: 'not the passphrase at all' }),
        /^cannot decrypt rt-pass\.db\.gz\.age: wrong passphrase/
      ],
      [
        'tampered ciphertext',
        () => ({ 'artifact-name': 'rt-tampered', identity }),
        /^cannot decrypt rt-tampered\.db\.zst\.age: file was tampered with \(chunk \d+ failed authentication\)$/
      ],
      [
        'truncated ciphertext',
        () => ({ 'artifact-name': 'rt-truncated', identity }),
        /^cannot decrypt rt-truncated\.db\.zst\.age: file is truncated/
      ],
      [
        'a missing artifact',
        () => ({ 'artifact-name': 'no-such-backup', identity }),
        /^Download of artifact "no-such-backup" failed: .*check the name or id/
      ],
      [
        'a non-empty data dir',
        () => ({ 'artifact-name': 'rt-age', identity, 'data-dir': nonEmpty() }),
        /^data-dir: .* is not empty \(old-file\); restore into a new directory/
      ],
      [
        'both identity and passphrase',
        () => ({ 'artifact-name': 'rt-age', identity, passphrase: PASSPHRASE }),
        /^set either identity or passphrase, not both$/
      ],
      [
        'etcd flags without a data dir',
        () => ({ 'artifact-name': 'rt-age', identity, name: 'node1' }),
        /^name applies only to a restore: set data-dir too/
      ]
    ])('%s', async (_what, inputs, expected) => {
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
      const privateDir = main.state['restore-private-dir']
      if (privateDir) expect(existsSync(privateDir)).toBe(false)
      expect(readdirSync(runnerTemp).filter(f => f.startsWith('etcd-restore-') || f.endsWith('.db'))).toEqual([])
    })
  })
})
