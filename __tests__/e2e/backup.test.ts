/**
 * The backup action end to end against real parts: a TLS etcd 3.4 member seeded with Kubernetes-shaped keys, the
 * real @actions/artifact client against the artifact service emulator, and the real age, zstd and etcdctl reading
 * what the action wrote.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { gunzipSync } from 'node:zlib'
import { Decrypter } from 'age-encryption'
import { runAction as runActionOnce, type ActionRun, type RunActionOptions } from '../harness/action-runner.js'
import { startArtifactService, type ArtifactService } from '../harness/artifact-service.js'
import { sizeOf } from '../harness/faults.js'
import { ETCD_VERSION, SNAPSHOT_TOOL_BIN, startEtcd, stopAll, type EtcdMember } from '../harness/etcd.js'
import { makePki, type Pki } from '../harness/pki.js'
import { SecretScan } from '../harness/secrets.js'
import { currentRevision, readAll, seedKubernetes } from '../harness/seed.js'
import { expectDataDirServes } from '../harness/restored.js'

let dir: string
let pki: Pki
let member: EtcdMember
let service: ArtifactService
let identityFile: string
let recipient: string

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'backup-test-'))
  pki = await makePki(join(dir, 'pki'))
  member = await startEtcd({ pki })
  await seedKubernetes(member, { objects: 1500, seed: 7 })
  service = await startArtifactService()
  identityFile = join(dir, 'key.txt')
  execFileSync('age-keygen', ['-o', identityFile], { stdio: 'ignore' })
  recipient = execFileSync('age-keygen', ['-y', identityFile], { encoding: 'utf8' }).trim()
  secrets.addPki(pki).addAgeIdentities('age identity', identityFile).add('client key PEM', pki.pem('clientKey'))
})

/**
 * Every secret this file hands the action (the PKI's keys and the age identity from beforeAll, each run's secret
 * inputs as it starts). Each run is searched, with its output-dir, as soon as it ends, so every test checks its own.
 */
const secrets = new SecretScan()
let scannedRuns = 0
async function runAction(options: RunActionOptions): ReturnType<typeof runActionOnce> {
  secrets.addSecretInputs(options.inputs ?? {})
  const result = await runActionOnce(options)
  const n = scannedRuns++
  const outputDir = options.inputs?.['output-dir']
  secrets.expectClean({
    runs: { [`run ${n} main`]: result.main, [`run ${n} post`]: result.post },
    trees: outputDir ? [outputDir] : []
  })
  return result
}

afterAll(async () => {
  await service?.stop()
  await stopAll()
  rmSync(dir, { recursive: true, force: true })
})

function tlsInputs(): Record<string, string> {
  return { endpoints: member.clientUrl, cacert: pki.caCert, cert: pki.clientCert, key: pki.clientKey }
}

/** Restores a plaintext snapshot with this release's snapshot tool (etcdutl 3.5+, etcdctl 3.4) into a new data dir. */
function restoreWithEtcdctl(snapshot: string): string {
  const dataDir = join(mkdtempSync(join(dir, 'restored-')), 'data')
  execFileSync(SNAPSHOT_TOOL_BIN, ['snapshot', 'restore', snapshot, '--data-dir', dataDir], {
    env: { ...process.env, ETCDCTL_API: '3' },
    stdio: 'pipe'
  })
  return dataDir
}

/** The log as a reader sees it: the runner consumes ::add-mask:: commands and shows nothing of them. */
function visible(log: string): string {
  return log
    .split('\n')
    .filter(l => !l.startsWith('::add-mask::'))
    .join('\n')
}

function expectCleanedUp(main: ActionRun, post: ActionRun): void {
  const privateDir = main.state['private-dir']
  expect(privateDir).toBeTruthy()
  expect(post.code).toBe(0)
  expect(existsSync(privateDir as string)).toBe(false)
}

describe('backup action', () => {
  it('backs up a TLS member; age -d | zstd -d | etcdctl snapshot restore gives back every key', async () => {
    const live = await readAll(member)
    const { main, post } = await runAction({
      inputs: { ...tlsInputs(), recipients: recipient, 'artifact-name': 'nightly-1', 'retention-days': '7' },
      env: service.env
    })
    expect(main.error).toBeUndefined()
    expect(main.code).toBe(0)
    expectCleanedUp(main, post)

    const o = main.outputs
    expect(o['snapshot-file']).toMatch(/nightly-1\/nightly-1\.db\.zst\.age$/)
    expect(o['endpoint']).toBe(member.clientUrl)
    expect(o['etcd-version']).toBe(ETCD_VERSION)
    expect(o['artifact-name']).toBe('nightly-1')
    expect(Number(o['revision'])).toBe(await currentRevision(member))
    expect(Number(o['total-keys'])).toBeGreaterThanOrEqual(1500)

    // The artifact: the encrypted file and the manifest, stored as the service got them.
    const stored = service.artifacts().find(a => a.name === 'nightly-1')
    expect(stored).toBeDefined()
    expect(String(stored?.id)).toBe(o['artifact-id'])
    expect(stored?.retentionDays).toBe(7)
    expect(o['artifact-url']).toMatch(new RegExp(`/actions/runs/${service.runId}/artifacts/${stored?.id}$`))
    const entries = service.readZipEntries(stored?.id as number)
    expect([...entries.keys()].sort()).toEqual(['manifest.json', 'nightly-1.db.zst.age'])
    const encrypted = entries.get('nightly-1.db.zst.age') as Buffer
    expect(encrypted.equals(readFileSync(o['snapshot-file'] as string))).toBe(true)
    expect(execFileSync('sha256sum', [o['snapshot-file'] as string], { encoding: 'utf8' }).split(' ')[0]).toBe(
      o['file-sha256']
    )

    const manifest = JSON.parse((entries.get('manifest.json') as Buffer).toString()) as Record<
      string,
      Record<string, unknown>
    >
    expect(manifest['snapshot']?.['revision']).toBe(Number(o['revision']))
    expect(manifest['snapshot']?.['sha256']).toBe(o['snapshot-sha256'])
    expect(manifest['file']?.['recipients']).toEqual([recipient])
    expect(manifest['etcd']?.['serverVersion']).toBe(ETCD_VERSION)
    expect(JSON.stringify(manifest)).not.toContain('PRIVATE KEY')

    // Public tools only: age -d, zstd -d, etcdctl snapshot restore.
    const restoredDir = mkdtempSync(join(dir, 'public-'))
    const encryptedCopy = join(restoredDir, 'backup.db.zst.age')
    writeFileSync(encryptedCopy, encrypted)
    const snapshot = join(restoredDir, 'snapshot.db')
    execFileSync('sh', ['-c', `age -d -i "${identityFile}" "${encryptedCopy}" | zstd -d -q -o "${snapshot}"`])
    const status = JSON.parse(
      execFileSync(SNAPSHOT_TOOL_BIN, ['snapshot', 'status', '-w', 'json', snapshot], {
        env: { ...process.env, ETCDCTL_API: '3' },
        encoding: 'utf8'
      })
    ) as { revision: number; hash: number; totalKey: number }
    expect(status.revision).toBe(Number(o['revision']))
    expect(String(status.hash)).toBe(o['hash'])
    expect(
      execFileSync('sh', ['-c', `head -c -32 "${snapshot}" | sha256sum`], { encoding: 'utf8' }).split(' ')[0]
    ).toBe(o['snapshot-sha256'])

    await expectDataDirServes(restoreWithEtcdctl(snapshot), live, pki)

    // The summary names the member, the revision and the artifact.
    expect(main.summary).toContain(member.clientUrl)
    expect(main.summary).toContain(o['revision'])
    expect(main.summary).toContain(o['artifact-url'])
    // Phases are grouped in the log.
    expect(main.log).toMatch(/::group::Take the snapshot/)
  })

  it('with a passphrase and gzip, keeps the file on the runner when upload is false', async () => {
    const outputDir = mkdtempSync(join(dir, 'out-'))
    const passphrase = 'a long passphrase for the test suite'
    const { main, post } = await runAction({
      inputs: {
        ...tlsInputs(),
        passphrase,
        compression: 'gzip',
        upload: 'false',
        'output-dir': outputDir,
        'artifact-name': 'gz'
      },
      env: service.env
    })
    expect(main.error).toBeUndefined()
    expectCleanedUp(main, post)
    expect(main.outputs['artifact-id']).toBeUndefined()
    expect(service.artifacts().some(a => a.name === 'gz')).toBe(false)
    const file = main.outputs['snapshot-file'] as string
    expect(file).toBe(join(outputDir, 'gz', 'gz.db.gz.age'))
    expect(statSync(file).mode & 0o777).toBe(0o600)
    expect(visible(main.log)).not.toContain(passphrase)

    const decrypter = new Decrypter()
    decrypter.addPassphrase(passphrase)
    const snapshot = Buffer.from(gunzipSync(await decrypter.decrypt(readFileSync(file))))
    expect(snapshot.subarray(-32).toString('hex')).toBe(main.outputs['snapshot-sha256'])
  })

  it('with encryption none, warns and writes the plain snapshot', async () => {
    const outputDir = mkdtempSync(join(dir, 'out-'))
    const { main } = await runAction({
      inputs: {
        ...tlsInputs(),
        encryption: 'none',
        compression: 'none',
        upload: 'false',
        'output-dir': outputDir,
        'artifact-name': 'plain'
      },
      env: service.env
    })
    expect(main.code).toBe(0)
    expect(main.log).toMatch(/::warning::encryption: none/)
    const file = main.outputs['snapshot-file'] as string
    expect(file.endsWith('plain.db')).toBe(true)
    expect(readFileSync(file).subarray(-32).toString('hex')).toBe(main.outputs['snapshot-sha256'])
  })

  it('accepts the TLS material as PEM text from secrets, and never prints the key', async () => {
    const keyPem = pki.pem('clientKey')
    const { main, post } = await runAction({
      inputs: {
        endpoints: member.clientUrl,
        cacert: pki.pem('caCert'),
        cert: pki.pem('clientCert'),
        key: keyPem,
        recipients: recipient,
        upload: 'false',
        'artifact-name': 'pem-text'
      },
      env: service.env
    })
    expect(main.error).toBeUndefined()
    expectCleanedUp(main, post)
    for (const line of keyPem.split('\n').filter(l => l.length > 20 && !l.startsWith('-----'))) {
      // Only the ::add-mask:: commands may carry it; the runner strips those.
      expect(visible(main.log)).not.toContain(line)
    }
  })

  it.each([
    [
      'an unreachable endpoint',
      () => ({ endpoints: 'https://127.0.0.1:1' }),
      /no usable etcd endpoint: https:\/\/127\.0\.0\.1:1: connection refused/,
      true
    ],
    ['a CA that does not match', () => ({ cacert: pki.otherCaCert }), /not signed by cacert/, true],
    [
      'a client certificate the server rejects',
      () => ({ cert: pki.otherClientCert, key: pki.otherClientKey }),
      /rejected the client certificate/,
      true
    ],
    [
      'a missing key file',
      () => ({ key: join(dir, 'missing.key') }),
      /^key: file .*missing\.key does not exist/,
      false
    ],
    [
      'etcdctl not found',
      () => ({ etcdctl: 'etcdctl-not-installed' }),
      /^etcdctl: 'etcdctl-not-installed' was not found/,
      true
    ],
    ['a malformed recipient', () => ({ recipients: 'age1bogus' }), /^recipients: recipient 1/, false],
    [
      'recipients and passphrase both set',
      () => ({ passphrase: 'some long passphrase' }),
      /either recipients or passphrase, not both/,
      false
    ],
    ['fewer keys than min-keys', () => ({ 'min-keys': '100000000' }), /fewer than min-keys 100000000/, true]
  ])('fails on %s with one line and leaves nothing behind', async (_name, extra, expected, madePrivateDir) => {
    const outputDir = mkdtempSync(join(dir, 'bad-'))
    const { main, post } = await runAction({
      inputs: { ...tlsInputs(), recipients: recipient, 'output-dir': outputDir, 'artifact-name': 'bad', ...extra() },
      env: service.env
    })
    expect(main.code).not.toBe(0)
    expect(main.error).toMatch(expected)
    expect(main.error).not.toContain('\n')
    expect(post.code).toBe(0)
    // No backup file, no partial file, not even the backup's folder; no plaintext.
    expect(readdirSync(outputDir, { recursive: true })).toEqual([])
    // Input errors refuse before anything is made; every later failure had made its private dir, and it is gone.
    const privateDir = main.state['private-dir']
    if (madePrivateDir) {
      expect(privateDir).toMatch(/\/etcd-snapshot-\w+$/)
      expect(existsSync(privateDir!)).toBe(false)
    } else {
      expect(privateDir).toBeUndefined()
    }
    expect(service.artifacts().some(a => a.name === 'bad')).toBe(false)
  })

  describe('removes only what this run created', () => {
    it.each([
      [
        'an older backup',
        (folder: string) => {
          mkdirSync(folder)
          writeFileSync(join(folder, 'taken.db.zst.age'), 'an older backup the user keeps')
        },
        (folder: string) => {
          expect(readdirSync(folder)).toEqual(['taken.db.zst.age'])
          expect(readFileSync(join(folder, 'taken.db.zst.age'), 'utf8')).toBe('an older backup the user keeps')
        }
      ],
      [
        'a file',
        (folder: string) => writeFileSync(folder, 'not a folder'),
        (folder: string) => expect(readFileSync(folder, 'utf8')).toBe('not a folder')
      ]
    ])(
      "%s already at the backup's place is refused in one line and left as it was, by main and post",
      async (_what, make, check) => {
        const outputDir = mkdtempSync(join(dir, 'taken-'))
        const folder = join(outputDir, 'taken')
        make(folder)
        const { main, post } = await runAction({
          inputs: { ...tlsInputs(), recipients: recipient, 'output-dir': outputDir, 'artifact-name': 'taken' },
          env: service.env
        })
        expect(main.code).toBe(1)
        check(folder)
        expect(main.error).toBe(`${folder} already exists; use a new artifact-name or remove the old backup`)
        expect(main.log.match(/^::error::/gm)).toHaveLength(1)
        expect(main.state['output-file']).toBeUndefined()
        expectCleanedUp(main, post)
        check(folder)
        expect(readdirSync(outputDir)).toEqual(['taken'])
        expect(service.artifacts().some(a => a.name === 'taken')).toBe(false)
      }
    )

    it('streams into <file>.partial and gives the file its name only once it is complete', async () => {
      // Big enough that etcd's stream takes a while: the file's names are watched while it is in flight.
      const big = await startEtcd({ pki })
      await seedKubernetes(big, { objects: 400, seed: 13, valueSize: 100_000, resources: ['configmaps'] })
      const outputDir = mkdtempSync(join(dir, 'flight-'))
      const final = join(outputDir, 'in-flight', 'in-flight.db.zst.age')
      const partial = `${final}.partial`
      let partialAlone = 0
      const finalSizes = new Set<number>()
      let running = true
      const watching = (async () => {
        while (running) {
          const p = sizeOf(partial)
          const f = sizeOf(final)
          if (p !== undefined && f === undefined) partialAlone++
          if (f !== undefined) finalSizes.add(f)
          await new Promise(r => setTimeout(r, 1))
        }
      })()
      const { main, post } = await runAction({
        inputs: {
          ...tlsInputs(),
          endpoints: big.clientUrl,
          recipients: recipient,
          upload: 'false',
          'output-dir': outputDir,
          'artifact-name': 'in-flight'
        },
        env: service.env
      })
      running = false
      await watching
      await big.stop()
      expect(main.error).toBeUndefined()
      expect(main.code).toBe(0)
      expectCleanedUp(main, post)
      // The stream went to .partial while the final name did not exist, and the final name only ever held the whole file.
      expect(partialAlone).toBeGreaterThan(0)
      expect([...finalSizes]).toEqual([statSync(final).size])
      expect(existsSync(partial)).toBe(false)
    })
  })

  it('keeps the encrypted file and prints its path when the service refuses the upload', async () => {
    service.rejectNames(/^refused-/)
    try {
      const { main } = await runAction({
        inputs: { ...tlsInputs(), recipients: recipient, 'artifact-name': 'refused-name' },
        env: service.env
      })
      expect(main.code).not.toBe(0)
      const file = main.outputs['snapshot-file'] as string
      expect(main.error).toContain(file)
      expect(existsSync(file)).toBe(true)
    } finally {
      service.rejectNames(undefined)
    }
  })

  it('runs from the bundled dist/ the way a runner runs it', async () => {
    expect(existsSync(join('dist', 'main', 'index.js'))).toBe(true)
    const { main, post } = await runAction({
      from: 'dist',
      inputs: { ...tlsInputs(), recipients: recipient, 'artifact-name': 'from-dist' },
      env: service.env
    })
    expect(main.error).toBeUndefined()
    expect(main.code).toBe(0)
    expectCleanedUp(main, post)
    const out = spawnSync(
      'sh',
      [
        '-c',
        `age -d -i "${identityFile}" "${main.outputs['snapshot-file']}" | zstd -d | tail -c 32 | od -An -tx1 | tr -d ' \\n'`
      ],
      { encoding: 'utf8' }
    )
    expect(out.stdout).toBe(main.outputs['snapshot-sha256'])
  })

  it('with restore-drill, boots the backup in a throwaway etcd and reports the cluster checks in the summary', async () => {
    const { main, post } = await runAction({
      inputs: {
        ...tlsInputs(),
        recipients: recipient,
        'restore-drill': 'true',
        'artifact-name': 'drilled',
        upload: 'false'
      },
      env: service.env
    })
    expect(main.error).toBeUndefined()
    expectCleanedUp(main, post)
    expect(main.log).toMatch(/::group::Restore drill/)
    expect(main.log).toMatch(
      new RegExp(`restored and served by etcd ${ETCD_VERSION.replace(/\./g, '\\.')} in [\\d.]+ s: revision \\d+`)
    )
    expect(main.log).toMatch(
      new RegExp(
        `${member.clientUrl}: HashKV ${main.outputs['hashkv']} at revision ${main.outputs['revision']} matches the snapshot`
      )
    )
    expect(Number(main.outputs['live-keys'])).toBe((await readAll(member)).size)
    // The seeded Secrets are stored in plain text: the job says so.
    expect(main.log).toMatch(/::warning::\d+ of \d+ Secrets are stored unencrypted/)
    expect(main.summary).toMatch(/Restore drill<\/td><td>passed in/)
    expect(main.summary).toMatch(/HashKV at the revision<\/td><td>\d+: matches 1 of 1 members/)
    expect(main.summary).toMatch(
      /Kubernetes<\/td><td>\d+ objects in \d+ namespaces; \d+ Secrets, \d+ NOT encrypted at rest; pods \d+/
    )
    const manifest = JSON.parse(
      readFileSync(join(dirname(main.outputs['snapshot-file'] as string), 'manifest.json'), 'utf8')
    ) as {
      kubernetes: { namespaces: string[] }
      cluster: { restoreDrill: { passed: boolean } }
    }
    expect(manifest.kubernetes.namespaces).toEqual(expect.arrayContaining(['default', 'kube-system']))
    expect(manifest.cluster.restoreDrill.passed).toBe(true)
  })

  it('fails when a required key prefix has no live key', async () => {
    const { main } = await runAction({
      inputs: {
        ...tlsInputs(),
        recipients: recipient,
        'required-keys': '/registry/namespaces/kube-system, /registry/namespaces/payments',
        upload: 'false',
        'artifact-name': 'required'
      },
      env: service.env
    })
    expect(main.code).not.toBe(0)
    expect(main.error).toBe(
      'snapshot failed verification: no live key under required prefix "/registry/namespaces/payments"'
    )
    expect(existsSync(main.outputs['snapshot-file'] ?? '/nonexistent')).toBe(false)
  })

  // Every run above is searched where it ends (in runAction()); this one stands alone: a backup that is uploaded,
  // with the TLS material as PEM text (so the action writes credential files), encrypted to a passphrase, searched
  // with the manifest of its stored artifact, every other stored manifest, and the test's dir.
  it('leaks no secret (key PEMs, passphrases, age identity) in any log, output, summary, state, error or manifest', async () => {
    const passphrase = 'the leak test passphrase, never to be printed'
    const before = scannedRuns
    const { main, post } = await runAction({
      inputs: {
        endpoints: member.clientUrl,
        cacert: pki.pem('caCert'),
        cert: pki.pem('clientCert'),
        key: pki.pem('clientKey'),
        passphrase,
        'artifact-name': 'leak-check'
      },
      env: service.env
    })
    expect(scannedRuns).toBe(before + 1)
    expect(main.error).toBeUndefined()
    expectCleanedUp(main, post)
    const stored = service.artifacts().find(a => a.name === 'leak-check')
    expect(String(stored?.id)).toBe(main.outputs['artifact-id'])
    const manifests = Object.fromEntries(
      service
        .artifacts()
        .map(a => [
          `artifact ${a.name} manifest.json`,
          service.readZipEntries(a.id).get('manifest.json')?.toString() ?? ''
        ])
    )
    expect(manifests['artifact leak-check manifest.json']).toContain(main.outputs['snapshot-sha256'] as string)
    // A scan of only this run's secrets, so the test proves something alone (the passphrase and the key's PEM).
    const scan = new SecretScan().addSecretInputs({ key: pki.pem('clientKey'), passphrase }).addPki(pki)
    expect(scan.size).toBeGreaterThan(1)
    scan.addAgeIdentities('age identity', identityFile)
    scan.expectClean({ runs: { main, post }, texts: manifests, trees: [dir] })
    secrets.expectClean({ runs: { main, post }, texts: manifests, trees: [dir] })
  })
})
