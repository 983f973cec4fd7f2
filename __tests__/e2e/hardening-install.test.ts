/**
 * etcd-version / etcd-download-url: on a runner without etcdctl, the action downloads the release tarball from a
 * mirror laid out like etcd's GitHub releases, checks it against SHA256SUMS, caches etcdctl with @actions/tool-cache
 * and takes the backup with it. The "release" is built here from the real etcdctl (and etcdutl, 3.5+) of the etcd
 * release under test and served from 127.0.0.1; nothing reaches the internet.
 */
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync
} from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { checksumFor, DEFAULT_ETCD_DOWNLOAD_URL, releaseAsset } from '../../src/etcd/install.js'
import { runAction, type ActionRun } from '../harness/action-runner.js'
import { ETCD_VERSION, ETCDCTL_BIN, ETCDUTL_BIN, startEtcd, stopAll, type EtcdMember } from '../harness/etcd.js'
import { makePki, type Pki } from '../harness/pki.js'
import { SecretScan } from '../harness/secrets.js'
import { seedKubernetes } from '../harness/seed.js'

// The release under test, laid out as etcd publishes it (etcdutl in it from 3.5 on).
const VERSION = ETCD_VERSION
const FOLDER = `etcd-v${VERSION}-linux-amd64`
const TARBALL = `${FOLDER}.tar.gz`

let dir: string
let pki: Pki
let member: EtcdMember
let recipient: string
let server: http.Server
let baseUrl: string
/** Paths the mirror was asked for, in order. */
const requested: string[] = []
/** PATH for the action: tar and gzip (tool-cache extracts with them), no etcdctl. */
let binWithoutEtcdctl: string
let lastRunnerTemp: string
/** Where the tar wrapper writes the environment it was started with, one file per run. */
let tarEnvDir: string
const secrets = new SecretScan()

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hardening-install-'))
  pki = await makePki(join(dir, 'pki'))
  member = await startEtcd({ pki })
  await seedKubernetes(member, { objects: 300, seed: 3 })
  const identityFile = join(dir, 'key.txt')
  execFileSync('age-keygen', ['-o', identityFile], { stdio: 'ignore' })
  recipient = execFileSync('age-keygen', ['-y', identityFile], { encoding: 'utf8' }).trim()
  secrets.addPki(pki).addAgeIdentities('age identity', identityFile)

  // A release laid out like etcd's: etcd-v3.4.23-linux-amd64/{etcdctl,README.md} in a .tar.gz, and SHA256SUMS.
  const release = join(dir, 'release')
  mkdirSync(join(release, FOLDER), { recursive: true })
  copyFileSync(ETCDCTL_BIN, join(release, FOLDER, 'etcdctl'))
  if (ETCDUTL_BIN) copyFileSync(ETCDUTL_BIN, join(release, FOLDER, 'etcdutl'))
  writeFileSync(join(release, FOLDER, 'README.md'), 'etcd release built for a test\n')
  execFileSync('tar', ['-czf', join(release, TARBALL), '-C', release, FOLDER])
  const tarball = readFileSync(join(release, TARBALL))
  const sha = createHash('sha256').update(tarball).digest('hex')
  const sums = `${'0'.repeat(64)}  etcd-v${VERSION}-darwin-amd64.zip\n${sha}  ${TARBALL}\n`
  const wrongSums = `${createHash('sha256').update('something else').digest('hex')}  ${TARBALL}\n`
  const routes = new Map<string, Buffer | string>([
    [`/good/v${VERSION}/${TARBALL}`, tarball],
    [`/good/v${VERSION}/SHA256SUMS`, sums],
    [`/tampered/v${VERSION}/${TARBALL}`, tarball],
    [`/tampered/v${VERSION}/SHA256SUMS`, wrongSums],
    [`/unlisted/v${VERSION}/${TARBALL}`, tarball],
    [`/unlisted/v${VERSION}/SHA256SUMS`, `${sha}  some-other-file.tar.gz\n`]
  ])
  server = http.createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname
    requested.push(path)
    const body = routes.get(path)
    if (body === undefined) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Not Found')
      return
    }
    res
      .writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': Buffer.byteLength(body) })
      .end(body)
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`

  binWithoutEtcdctl = join(dir, 'bin')
  mkdirSync(binWithoutEtcdctl)
  const which = (tool: string): string => execFileSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).trim()
  symlinkSync(which('gzip'), join(binWithoutEtcdctl, 'gzip'))
  // tar notes the environment it was given (with the shell's builtin: PATH has no `env`), then runs as usual.
  tarEnvDir = join(dir, 'tar-env')
  mkdirSync(tarEnvDir)
  writeFileSync(
    join(binWithoutEtcdctl, 'tar'),
    `#!/bin/sh\nexport -p > "${tarEnvDir}/$$"\nexec ${which('tar')} "$@"\n`,
    { mode: 0o755 }
  )
})

afterAll(async () => {
  await new Promise<void>(resolve => server?.close(() => resolve()))
  await stopAll()
  rmSync(dir, { recursive: true, force: true })
})

async function backupWithInstall(
  name: string,
  mirror: string,
  toolCache: string,
  extra: Record<string, string> = {}
): Promise<ActionRun> {
  const outputDir = mkdtempSync(join(dir, 'out-'))
  lastRunnerTemp = mkdtempSync(join(dir, 'runner-'))
  const { main, post } = await runAction({
    runnerTemp: lastRunnerTemp,
    inputs: {
      endpoints: member.clientUrl,
      cacert: pki.caCert,
      cert: pki.clientCert,
      key: pki.clientKey,
      recipients: recipient,
      upload: 'false',
      'output-dir': outputDir,
      'artifact-name': name,
      'etcd-version': VERSION,
      'etcd-download-url': `${baseUrl}/${mirror}`,
      ...extra
    },
    env: { PATH: binWithoutEtcdctl, RUNNER_TOOL_CACHE: toolCache }
  })
  // Each test checks its own runs, so each can run alone.
  secrets.expectClean({ runs: { [`${name} main`]: main, [`${name} post`]: post }, trees: [outputDir] })
  expect(post.code).toBe(0)
  return main
}

describe('etcd-version: installing etcdctl on a runner that has none', () => {
  it('without etcd-version, a runner without etcdctl fails saying how to fix it', async () => {
    const main = await backupWithInstall('no-version', 'good', mkdtempSync(join(dir, 'cache-')), { 'etcd-version': '' })
    expect(main.code).not.toBe(0)
    expect(main.error).toMatch(/^etcdctl: 'etcdctl' was not found; install etcd-client .* or set the etcdctl input/)
  })

  it('downloads the release, checks SHA256SUMS, caches etcdctl and takes the backup with it; the next job uses the cache', async () => {
    const toolCache = mkdtempSync(join(dir, 'cache-'))
    requested.length = 0
    rmSync(tarEnvDir, { recursive: true, force: true })
    mkdirSync(tarEnvDir)
    const first = await backupWithInstall('installed', 'good', toolCache)
    expect(first.error).toBeUndefined()
    expect(first.code).toBe(0)
    expect(requested).toEqual([`/good/v${VERSION}/${TARBALL}`, `/good/v${VERSION}/SHA256SUMS`])
    // The tool cache layout @actions/tool-cache uses: <cache>/etcd/<version>/<arch>/ plus a .complete marker.
    const cachedDir = join(toolCache, 'etcd', VERSION, process.arch)
    expect(readdirSync(cachedDir).sort()).toEqual(ETCDUTL_BIN ? ['etcdctl', 'etcdutl'] : ['etcdctl'])
    expect(existsSync(`${cachedDir}.complete`)).toBe(true)
    expect(first.log).toContain(`etcdctl ${VERSION} at ${join(cachedDir, 'etcdctl')}`)
    expect(first.log).toMatch(/downloaded, checked against SHA256SUMS and cached/)
    expect(first.outputs['etcd-version']).toBe(VERSION)
    expect(Number(first.outputs['total-keys'])).toBeGreaterThanOrEqual(300)
    // tar extracted the release with none of the step's inputs (the client key among them) in its environment.
    const tarRuns = readdirSync(tarEnvDir)
    expect(tarRuns.length).toBeGreaterThan(0)
    for (const run of tarRuns) {
      const tarEnv = readFileSync(join(tarEnvDir, run), 'utf8')
      expect(tarEnv).toMatch(/^export PATH=/m)
      expect(tarEnv.match(/^export (INPUT_|ACTIONS_|GITHUB_)\w*/gm)).toBeNull()
    }

    requested.length = 0
    const second = await backupWithInstall('from-cache', 'good', toolCache)
    expect(second.code).toBe(0)
    expect(requested).toEqual([])
    expect(second.log).toMatch(/found in the tool cache/)
  })

  it('a tarball whose sha256 differs from SHA256SUMS fails the job and installs nothing', async () => {
    const toolCache = mkdtempSync(join(dir, 'cache-'))
    const main = await backupWithInstall('tampered', 'tampered', toolCache)
    expect(main.code).not.toBe(0)
    expect(main.error).toMatch(
      new RegExp(
        `^${TARBALL.replace(/\./g, '\\.')} from http://127\\.0\\.0\\.1:\\d+/tampered/v${VERSION}/${TARBALL.replace(/\./g, '\\.')} has sha256 [0-9a-f]{64} but SHA256SUMS says [0-9a-f]{64}: the download is damaged or was tampered with; nothing was installed$`
      )
    )
    expect(existsSync(join(toolCache, 'etcd'))).toBe(false)
    // Nothing half-downloaded is left in RUNNER_TEMP either.
    expect(readdirSync(lastRunnerTemp).filter(f => f.startsWith('etcd-download-'))).toEqual([])
  })

  it('a SHA256SUMS without a line for the tarball fails the job', async () => {
    const toolCache = mkdtempSync(join(dir, 'cache-'))
    const main = await backupWithInstall('unlisted', 'unlisted', toolCache)
    expect(main.code).not.toBe(0)
    expect(main.error).toMatch(
      new RegExp(
        `SHA256SUMS lists no sha256 for ${TARBALL.replace(/\./g, '\\.')}; refusing to install an unverified download`
      )
    )
    expect(existsSync(join(toolCache, 'etcd'))).toBe(false)
  })

  it('a version the mirror does not have (404) fails naming the URL, at once', async () => {
    const started = Date.now()
    const main = await backupWithInstall('missing', 'good', mkdtempSync(join(dir, 'cache-')), {
      'etcd-version': '3.4.99'
    })
    expect(main.code).not.toBe(0)
    expect(main.error).toMatch(
      /^etcd-version: http:\/\/127\.0\.0\.1:\d+\/good\/v3\.4\.99\/etcd-v3\.4\.99-linux-amd64\.tar\.gz was not found \(HTTP 404\); check that etcd-version names a released version/
    )
    // 4xx is not retried (tool-cache retries only 5xx, 408 and 429, after 10-20 s).
    expect(Date.now() - started).toBeLessThan(8000)
  })

  it('refuses a malformed etcd-version or download URL with one line naming the input', async () => {
    const bad = await backupWithInstall('bad-version', 'good', mkdtempSync(join(dir, 'cache-')), {
      'etcd-version': 'latest'
    })
    expect(bad.error).toBe("etcd-version must be an etcd 3.x release such as 3.5.17, not 'latest'")
    const badUrl = await backupWithInstall('bad-url', 'good', mkdtempSync(join(dir, 'cache-')), {
      'etcd-download-url': 'ftp://mirror.example/etcd'
    })
    expect(badUrl.error).toBe('etcd-download-url must be an https:// (or http://) URL, not ftp://')
  })

  it('leaks no secret while installing, with the TLS key given as secret text', async () => {
    const inputs = { cacert: pki.pem('caCert'), cert: pki.pem('clientCert'), key: pki.pem('clientKey') }
    const scan = new SecretScan().addSecretInputs(inputs)
    expect(scan.size).toBeGreaterThan(1)
    const main = await backupWithInstall('secret-text', 'good', mkdtempSync(join(dir, 'cache-')), inputs)
    expect(main.error).toBeUndefined()
    expect(main.log).toMatch(/downloaded, checked against SHA256SUMS and cached/)
    scan.expectClean({ runs: { main }, trees: [dir] })
  })
})

describe('release layout', () => {
  it('names the files as etcd publishes them, per architecture', () => {
    expect(releaseAsset('3.5.17', DEFAULT_ETCD_DOWNLOAD_URL, 'linux', 'x64')).toEqual({
      tarballName: 'etcd-v3.5.17-linux-amd64.tar.gz',
      folder: 'etcd-v3.5.17-linux-amd64',
      tarballUrl: 'https://github.com/etcd-io/etcd/releases/download/v3.5.17/etcd-v3.5.17-linux-amd64.tar.gz',
      checksumsUrl: 'https://github.com/etcd-io/etcd/releases/download/v3.5.17/SHA256SUMS'
    })
    expect(releaseAsset('3.6.5', 'https://mirror.example/etcd/', 'linux', 'arm64').tarballUrl).toBe(
      'https://mirror.example/etcd/v3.6.5/etcd-v3.6.5-linux-arm64.tar.gz'
    )
    expect(() => releaseAsset('3.5.17', DEFAULT_ETCD_DOWNLOAD_URL, 'darwin', 'arm64')).toThrow(
      /no build for darwin\/arm64/
    )
  })

  it('reads SHA256SUMS as sha256sum writes it (text and binary mode)', () => {
    const a = 'a'.repeat(64)
    const b = 'B'.repeat(64)
    const sums = `${a}  etcd-v3.5.17-linux-arm64.tar.gz\n${b} *etcd-v3.5.17-linux-amd64.tar.gz\r\n`
    expect(checksumFor(sums, 'etcd-v3.5.17-linux-amd64.tar.gz')).toBe('b'.repeat(64))
    expect(checksumFor(sums, 'etcd-v3.5.17-linux-arm64.tar.gz')).toBe(a)
    expect(checksumFor(sums, 'etcd-v3.5.17-linux-s390x.tar.gz')).toBeUndefined()
  })
})
