/**
 * Getting etcdctl onto a runner that has none (kubeadm runs etcd as a static pod, so control-plane hosts usually lack
 * the client): download the etcd project's release tarball, check it against the release's SHA256SUMS, and keep
 * etcdctl (and etcdutl, from 3.5 on) in the runner's tool cache for later jobs.
 */
import * as io from '@actions/io'
import * as tc from '@actions/tool-cache'
import { createHash } from 'node:crypto'
import { createReadStream, promises as fs } from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { ConfigurationError, errorMessage, VerificationError } from '../errors.js'
import { runTool } from './process.js'
import { resolveTools, type EtcdTools } from './tools.js'

/** Where the etcd project publishes its releases; `etcd-download-url` can point at a mirror laid out the same way. */
export const DEFAULT_ETCD_DOWNLOAD_URL = 'https://github.com/etcd-io/etcd/releases/download'

/** The tool-cache name the binaries are kept under. */
const TOOL_NAME = 'etcd'

/** Node's names for CPU architectures → the names in etcd's release file names. */
const RELEASE_ARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64', ppc64: 'ppc64le', s390x: 's390x' }

export interface ReleaseAsset {
  /** e.g. etcd-v3.5.17-linux-amd64.tar.gz */
  tarballName: string
  /** The folder inside the tarball that holds the binaries, e.g. etcd-v3.5.17-linux-amd64 */
  folder: string
  tarballUrl: string
  checksumsUrl: string
}

/** The release tarball and SHA256SUMS for one version on this platform, laid out as on etcd's GitHub releases. */
export function releaseAsset(
  version: string,
  baseUrl: string,
  platform: NodeJS.Platform = process.platform,
  arch: string = process.arch
): ReleaseAsset {
  const releaseArch = RELEASE_ARCH[arch]
  if (platform !== 'linux' || !releaseArch) {
    throw new ConfigurationError(
      `etcd-version: etcd releases have no build for ${platform}/${arch} that this action can install; install etcdctl on the runner and set the etcdctl input`
    )
  }
  const folder = `etcd-v${version}-linux-${releaseArch}`
  const base = `${baseUrl.replace(/\/+$/, '')}/v${version}`
  return {
    tarballName: `${folder}.tar.gz`,
    folder,
    tarballUrl: `${base}/${folder}.tar.gz`,
    checksumsUrl: `${base}/SHA256SUMS`
  }
}

export interface InstalledEtcd {
  /** The tool-cache folder holding etcdctl and, from 3.5 on, etcdutl. */
  dir: string
  etcdctl: string
  etcdutl?: string
  /** Whether an earlier job had already put it in the tool cache (nothing was downloaded). */
  fromCache: boolean
}

/**
 * etcdctl and etcdutl of one etcd release, from the tool cache or downloaded into it. The tarball is checked against
 * the release's SHA256SUMS before anything is extracted; a mismatch installs nothing.
 */
export async function installEtcd(version: string, baseUrl: string): Promise<InstalledEtcd> {
  const asset = releaseAsset(version, baseUrl)
  if (!process.env['RUNNER_TOOL_CACHE']) {
    throw new ConfigurationError(
      'etcd-version needs the runner tool cache, but RUNNER_TOOL_CACHE is not set; run inside a workflow job or install etcdctl and set the etcdctl input'
    )
  }
  const cached = tc.find(TOOL_NAME, version)
  if (cached) {
    const found = await binariesIn(cached)
    if (found) return { dir: cached, ...found, fromCache: true }
  }

  const scratch = await fs.mkdtemp(path.join(process.env['RUNNER_TEMP'] || os.tmpdir(), 'etcd-download-'))
  try {
    const tarball = await download(asset.tarballUrl, path.join(scratch, asset.tarballName))
    const sums = await fs.readFile(await download(asset.checksumsUrl, path.join(scratch, 'SHA256SUMS')), 'utf8')
    const expected = checksumFor(sums, asset.tarballName)
    if (!expected) {
      throw new VerificationError(
        `${asset.checksumsUrl} lists no sha256 for ${asset.tarballName}; refusing to install an unverified download (check etcd-version and etcd-download-url)`
      )
    }
    const actual = await sha256File(tarball)
    if (actual !== expected) {
      throw new VerificationError(
        `${asset.tarballName} from ${asset.tarballUrl} has sha256 ${actual} but SHA256SUMS says ${expected}: the download is damaged or was tampered with; nothing was installed`
      )
    }
    const extracted = await extractTarball(tarball, path.join(scratch, 'extracted'))
    const releaseDir = path.join(extracted, asset.folder)
    // Only the two clients go into the cache: the etcd server binary is not needed to take a snapshot.
    const staged = path.join(scratch, 'staged')
    await fs.mkdir(staged)
    for (const name of ['etcdctl', 'etcdutl']) {
      try {
        await fs.copyFile(path.join(releaseDir, name), path.join(staged, name))
        await fs.chmod(path.join(staged, name), 0o755)
      } catch (e: unknown) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e
        // etcd 3.4 releases have no etcdutl; a release without etcdctl is not one we can use.
        if (name === 'etcdctl') {
          throw new ConfigurationError(
            `${asset.tarballName} has no ${asset.folder}/etcdctl; is etcd-download-url laid out like etcd's releases?`
          )
        }
      }
    }
    const dir = await tc.cacheDir(staged, TOOL_NAME, version)
    const found = await binariesIn(dir)
    if (!found) throw new ConfigurationError(`etcdctl did not land in the tool cache at ${dir}`)
    return { dir, ...found, fromCache: false }
  } finally {
    await fs.rm(scratch, { recursive: true, force: true })
  }
}

/**
 * Finds etcdctl and etcdutl as resolveTools does, but when etcdctl is not on the runner and an etcd version is given,
 * installs that release first. The installed etcdctl must report the version asked for.
 */
export async function findOrInstallTools(request: {
  etcdctl: string
  etcdctlExplicit: boolean
  etcdutl: string
  etcdutlExplicit: boolean
  etcdVersion?: string
  downloadUrl: string
}): Promise<{ tools: EtcdTools; installed?: InstalledEtcd }> {
  const present = await io.which(request.etcdctl, false)
  // A path the user named that does not exist is their mistake to hear about, not a reason to download.
  if (present || !request.etcdVersion || request.etcdctlExplicit) {
    return { tools: await resolveTools(request.etcdctl, request.etcdutl, request.etcdutlExplicit) }
  }
  const installed = await installEtcd(request.etcdVersion, request.downloadUrl)
  const etcdutl = request.etcdutlExplicit ? request.etcdutl : (installed.etcdutl ?? request.etcdutl)
  const tools = await resolveTools(installed.etcdctl, etcdutl, request.etcdutlExplicit)
  if (tools.etcdctl.version !== request.etcdVersion) {
    throw new VerificationError(
      `the etcdctl installed for etcd-version ${request.etcdVersion} reports version ${tools.etcdctl.version}; check etcd-download-url`
    )
  }
  return { tools, installed }
}

/**
 * tar through runTool rather than tool-cache's extractTar, which would hand tar this process's whole environment
 * (every input, secrets included).
 */
async function extractTarball(tarball: string, dest: string): Promise<string> {
  await fs.mkdir(dest)
  const why = await runTool('tar', ['-xzf', tarball, '-C', dest], { timeoutMs: 5 * 60_000 }).then(
    r => (r.code === 0 ? undefined : (r.stderr.trim().split('\n').at(-1) ?? `exit code ${r.code ?? r.signal}`)),
    (e: unknown) => errorMessage(e)
  )
  if (why !== undefined) {
    throw new ConfigurationError(
      `could not extract ${path.basename(tarball)} with tar (${why.slice(0, 300)}); the runner needs tar and gzip on PATH`
    )
  }
  return dest
}

async function binariesIn(dir: string): Promise<{ etcdctl: string; etcdutl?: string } | undefined> {
  const exists = async (file: string): Promise<boolean> =>
    fs.access(file).then(
      () => true,
      () => false
    )
  const etcdctl = path.join(dir, 'etcdctl')
  if (!(await exists(etcdctl))) return undefined
  const etcdutl = path.join(dir, 'etcdutl')
  return (await exists(etcdutl)) ? { etcdctl, etcdutl } : { etcdctl }
}

async function download(url: string, dest: string): Promise<string> {
  try {
    return await tc.downloadTool(url, dest)
  } catch (e: unknown) {
    if (e instanceof tc.HTTPError && e.httpStatusCode === 404) {
      throw new ConfigurationError(
        `etcd-version: ${url} was not found (HTTP 404); check that etcd-version names a released version (such as 3.5.17) and that etcd-download-url is laid out like etcd's GitHub releases`
      )
    }
    const status = e instanceof tc.HTTPError ? `HTTP ${e.httpStatusCode}` : errorMessage(e)
    throw new ConfigurationError(
      `could not download ${url} (${status}); check etcd-download-url and the runner's network`
    )
  }
}

/** The sha256 that a SHA256SUMS file (`<hex>  <name>` lines, as sha256sum writes them) gives for one file name. */
export function checksumFor(sums: string, fileName: string): string | undefined {
  for (const line of sums.split(/\r?\n/)) {
    const match = /^([0-9a-fA-F]{64})\s+\*?(\S+)\s*$/.exec(line.trim())
    if (match && path.basename(match[2] as string) === fileName) return (match[1] as string).toLowerCase()
  }
  return undefined
}

async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer)
  return hash.digest('hex')
}
