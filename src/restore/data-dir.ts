/**
 * `snapshot restore` into a new data directory: etcdutl (3.5+) or, where there is none, etcdctl (3.4/3.5). For
 * Kubernetes the revision is bumped and the old revisions marked compacted where the tool can do it, so that no
 * informer or watch cache mistakes the restored, older state for the present.
 */
import { lstatSync, promises as fs, readdirSync } from 'node:fs'
import * as path from 'node:path'
import { ConfigurationError, EtcdError, errorMessage } from '../errors.js'
import { runTool } from '../etcd/process.js'
import { compareVersions, type EtcdTools } from '../etcd/tools.js'

/** Kubernetes' and etcd's recommendation: far more than the writes a cluster makes between a backup and a restore. */
export const DEFAULT_BUMP_REVISION = 1_000_000_000

export interface RestoreOptions {
  tools: EtcdTools
  /** The plaintext snapshot (with its sha256 trailer, which the tool checks). */
  snapshot: string
  /** Must be absent or empty; created 0700. */
  dataDir: string
  /** This member's name, as in its etcd manifest (kubeadm: the node name). */
  name?: string
  /** name=peerURL,... of every member of the restored cluster; the same on every member. */
  initialCluster?: string
  /** This member's peer URLs (kubeadm: https://<node-ip>:2380). */
  initialAdvertisePeerUrls?: string
  /** A new token for the restored cluster; the same on every member. */
  initialClusterToken?: string
  /** Add this to the restored revision (0: keep it). Needs a tool that supports it; otherwise a warning. */
  bumpRevision?: number
  /** Mark the old revisions compacted; follows bumpRevision (etcd requires both or neither). */
  markCompacted?: boolean
  /**
   * Restore a file with no sha256 trailer, such as a copy of a member's member/snap/db (etcdutl's
   * --skip-hash-check). Only for a file the verifier found sound without one.
   */
  skipHashCheck?: boolean
  /** Limit for the restore; default 30 minutes. */
  timeoutMs?: number
  /** Hears of each path the restore creates as soon as it exists, for a signal handler to remove. */
  created?: (p: string) => void
}

export interface RestoreResult {
  dataDir: string
  /** The binary that restored, and its name and version. */
  tool: { path: string; name: 'etcdutl' | 'etcdctl'; version: string }
  /** The membership written into the data dir. */
  name: string
  initialCluster: string
  initialAdvertisePeerUrls: string
  /** How far the revision was bumped (0 when it was not). */
  bumpedBy: number
  markedCompacted: boolean
  /** Things the operator must know: an unsupported bump, a default membership. */
  warnings: string[]
  durationMs: number
  /** What the restore created: the data dir when it was absent, else the entries it moved into it. */
  created: string[]
}

/** The membership a restore writes, after filling in what can be derived and checking the rest. */
export interface Membership {
  name: string
  initialCluster: string
  initialAdvertisePeerUrls: string
  /** True when nothing was given and etcd's defaults apply (a lone member named "default"). */
  defaulted: boolean
}

const ETCD_DEFAULT_NAME = 'default'
const ETCD_DEFAULT_PEER_URL = 'http://localhost:2380'

/**
 * Fills in the membership flags from each other: a name and peer URLs make a one-member initial cluster; an initial
 * cluster with one member names it; a name found in the initial cluster gives its peer URLs.
 */
export function resolveMembership(
  opts: Pick<RestoreOptions, 'name' | 'initialCluster' | 'initialAdvertisePeerUrls'>
): Membership {
  const name = opts.name?.trim() ?? ''
  const clusterText = opts.initialCluster?.trim() ?? ''
  const advertiseText = opts.initialAdvertisePeerUrls?.trim() ?? ''
  if (!name && !clusterText && !advertiseText) {
    return {
      name: ETCD_DEFAULT_NAME,
      initialCluster: `${ETCD_DEFAULT_NAME}=${ETCD_DEFAULT_PEER_URL}`,
      initialAdvertisePeerUrls: ETCD_DEFAULT_PEER_URL,
      defaulted: true
    }
  }
  if (name) checkMemberName('name', name)
  const advertise = advertiseText ? parseUrlList('initial-advertise-peer-urls', advertiseText) : []
  const cluster = clusterText ? parseInitialCluster(clusterText) : []

  if (!cluster.length) {
    if (!name || !advertise.length) {
      throw new ConfigurationError(
        `set ${name ? 'initial-advertise-peer-urls (this member’s peer URL, https://<node-ip>:2380)' : 'name (this member’s name, as in its etcd manifest)'} too, or give initial-cluster`
      )
    }
    return {
      name,
      initialCluster: advertise.map(u => `${name}=${u}`).join(','),
      initialAdvertisePeerUrls: advertise.join(','),
      defaulted: false
    }
  }
  const names = [...new Set(cluster.map(m => m.name))]
  let member = name
  if (!member) {
    if (names.length > 1) {
      throw new ConfigurationError(
        `initial-cluster lists ${names.length} members (${names.join(', ')}); set name to the one this data dir is for`
      )
    }
    member = names[0]!
  }
  const own = cluster.filter(m => m.name === member).map(m => m.url)
  if (!own.length) {
    throw new ConfigurationError(
      `name '${member}' is not in initial-cluster (${names.join(', ')}); use the member's name exactly as it appears there`
    )
  }
  if (advertise.length) {
    const missing = advertise.filter(u => !own.includes(u))
    if (missing.length || own.length !== advertise.length) {
      throw new ConfigurationError(
        `initial-advertise-peer-urls (${advertise.join(',')}) must equal ${member}'s URLs in initial-cluster (${own.join(',')})`
      )
    }
  }
  return {
    name: member,
    initialCluster: cluster.map(m => `${m.name}=${m.url}`).join(','),
    initialAdvertisePeerUrls: own.join(','),
    defaulted: false
  }
}

function parseInitialCluster(text: string): { name: string; url: string }[] {
  return text
    .split(/[,\n]/)
    .map(s => s.trim())
    .filter(Boolean)
    .map(entry => {
      const eq = entry.indexOf('=')
      if (eq <= 0) {
        throw new ConfigurationError(
          `initial-cluster entry '${entry}' is not name=peerURL (such as node1=https://10.0.0.1:2380)`
        )
      }
      const name = entry.slice(0, eq).trim()
      checkMemberName('initial-cluster', name)
      const [url] = parseUrlList('initial-cluster', entry.slice(eq + 1))
      return { name, url: url! }
    })
}

/**
 * A member name goes into --initial-cluster as name=URL,...: a ',' or '=' would change the cluster it describes, and
 * white space or a control character (a newline from a pasted value) is never part of a real node name.
 */
function checkMemberName(input: string, name: string): void {
  // eslint-disable-next-line no-control-regex
  if (/[\s,=\u0000-\u001f\u007f]/.test(name)) {
    throw new ConfigurationError(
      `${input}: member name ${JSON.stringify(name)} must not contain white space, control characters, ',' or '='; use the node name exactly as etcd's --name has it`
    )
  }
}

function parseUrlList(input: string, text: string): string[] {
  return text
    .split(/[,\n]/)
    .map(s => s.trim())
    .filter(Boolean)
    .map(entry => {
      let url: URL
      try {
        url = new URL(entry)
      } catch {
        throw new ConfigurationError(`${input}: '${entry}' is not a URL; peer URLs look like https://10.0.0.1:2380`)
      }
      if (
        (url.protocol !== 'https:' && url.protocol !== 'http:') ||
        !url.port ||
        (url.pathname !== '/' && url.pathname !== '')
      ) {
        throw new ConfigurationError(
          `${input}: '${entry}' must be http(s)://host:port with no path (peer URLs look like https://10.0.0.1:2380)`
        )
      }
      return `${url.protocol}//${url.host}`
    })
}

/** Which binary restores: etcdutl when there is one; etcdctl up to 3.5 (3.6 moved the command to etcdutl). */
export function restoreTool(tools: EtcdTools): RestoreResult['tool'] {
  if (tools.etcdutl) return { path: tools.etcdutl.path, name: 'etcdutl', version: tools.etcdutl.version }
  if (compareVersions(tools.etcdctl.version, '3.6.0') >= 0) {
    throw new ConfigurationError(
      `etcdctl ${tools.etcdctl.version} has no 'snapshot restore'; install etcdutl (same release tarball) or set the etcdutl input to its path`
    )
  }
  return { path: tools.etcdctl.path, name: 'etcdctl', version: tools.etcdctl.version }
}

/**
 * Whether the tool's `snapshot restore` takes --bump-revision and --mark-compacted (etcd 3.4.27+, 3.5.10+). Its help
 * text decides, not its version: distributions backport, and a version string proves nothing about a build.
 */
export async function supportsRevisionBump(tool: RestoreResult['tool']): Promise<boolean> {
  const result = await runTool(tool.path, ['snapshot', 'restore', '--help'], {
    env: { ETCDCTL_API: '3' },
    dropEnv: ['ETCDCTL_*', 'ETCDUTL_*'],
    timeoutMs: 15_000
  })
  const text = `${result.stdout}\n${result.stderr}`
  return /--bump-revision\b/.test(text) && /--mark-compacted\b/.test(text)
}

/** The warning for a restore that could not bump the revision: what it means for Kubernetes, and what to do. */
export function bumpUnsupportedWarning(tool: RestoreResult['tool']): string {
  return (
    `${tool.name} ${tool.version} cannot bump the revision (--bump-revision/--mark-compacted came in etcd 3.4.27 and 3.5.10): ` +
    'the restored etcd starts at the snapshot’s revision, so Kubernetes informers and watch caches that saw newer revisions can miss changes; ' +
    'restore with etcdutl 3.5.10+ if you can, otherwise restart every kube-apiserver, controller and operator after etcd is back'
  )
}

/** Restores a snapshot into a new data directory; refuses one that holds anything. */
export async function restoreSnapshot(opts: RestoreOptions): Promise<RestoreResult> {
  const started = Date.now()
  const tool = restoreTool(opts.tools)
  const membership = resolveMembership(opts)
  const bump = opts.bumpRevision ?? 0
  if (!Number.isSafeInteger(bump) || bump < 0)
    throw new ConfigurationError(`bump-revision must be a whole number ≥ 0, got ${bump}`)
  const markCompacted = opts.markCompacted ?? bump > 0
  if (markCompacted && bump === 0) {
    throw new ConfigurationError(
      'mark-compacted needs bump-revision > 0 (etcd marks the bumped revision compacted); set bump-revision or drop mark-compacted'
    )
  }
  if (!markCompacted && bump > 0) {
    throw new ConfigurationError(
      'bump-revision needs mark-compacted (etcd requires both): without it clients could read revisions that never existed'
    )
  }

  const warnings: string[] = []
  if (membership.defaulted) {
    warnings.push(
      `no name or initial-cluster given: the restored member is '${membership.name}' at ${membership.initialAdvertisePeerUrls}; for a cluster member pass name, initial-cluster and initial-advertise-peer-urls as in its etcd manifest`
    )
  }
  let bumpArgs: string[] = []
  if (bump > 0) {
    if (await supportsRevisionBump(tool)) bumpArgs = [`--bump-revision=${bump}`, '--mark-compacted']
    else warnings.push(bumpUnsupportedWarning(tool))
  }

  const dataDir = path.resolve(opts.dataDir)
  const before = inspectDataDirSync(dataDir)
  // Everything the restore makes is recorded as it is made, and only that is removed on failure: a data dir that was
  // there (empty, perhaps a mount point) stays. The tools refuse an existing directory, even an empty one, so they
  // restore into a new dir inside the data dir (the same file system) and the result is moved in.
  const created: string[] = []
  const record = (p: string): void => {
    created.push(p)
    opts.created?.(p)
  }
  let staging: string | undefined
  try {
    if (before === 'absent') {
      await fs.mkdir(path.dirname(dataDir), { recursive: true })
      // Not recursive: EEXIST means someone else made it meanwhile, and it is not ours to fill or remove.
      await fs.mkdir(dataDir, { mode: 0o700 })
      record(dataDir)
    }
    staging = await fs.mkdtemp(path.join(dataDir, '.etcd-restore-'))
    record(staging)
    const target = path.join(staging, 'data')
    const args = [
      'snapshot',
      'restore',
      // Absolute, so a file name that starts with '-' is never read as a flag.
      path.resolve(opts.snapshot),
      `--data-dir=${target}`,
      `--name=${membership.name}`,
      `--initial-cluster=${membership.initialCluster}`,
      `--initial-advertise-peer-urls=${membership.initialAdvertisePeerUrls}`,
      ...(opts.initialClusterToken ? [`--initial-cluster-token=${opts.initialClusterToken}`] : []),
      ...(opts.skipHashCheck ? ['--skip-hash-check'] : []),
      ...bumpArgs
    ]
    const result = await runTool(tool.path, args, {
      env: { ETCDCTL_API: '3' },
      dropEnv: ['ETCDCTL_*', 'ETCDUTL_*'],
      timeoutMs: opts.timeoutMs ?? 30 * 60_000
    })
    if (result.timedOut)
      throw new EtcdError(
        `${tool.name} snapshot restore did not finish in time and was stopped; the partial data dir was removed`
      )
    if (result.code !== 0)
      throw new EtcdError(
        `${tool.name} snapshot restore failed: ${toolError(result.stderr || result.stdout, result.code)}`
      )
    for (const entry of await fs.readdir(target)) {
      const moved = path.join(dataDir, entry)
      // rename() would replace an empty directory someone put there meanwhile; refuse instead.
      if (await pathExists(moved))
        throw new EtcdError(`${moved} appeared during the restore; restore into a directory nobody else writes to`)
      await fs.rename(path.join(target, entry), moved)
      if (before !== 'absent') record(moved)
    }
    await fs.rm(staging, { recursive: true, force: true })
    // The data dir holds every Secret of the cluster; etcd itself wants 0700.
    await fs.chmod(dataDir, 0o700)
  } catch (e: unknown) {
    for (const p of created.splice(0).reverse()) await fs.rm(p, { recursive: true, force: true })
    if (e instanceof EtcdError) throw e
    throw new EtcdError(`restoring into ${dataDir} failed: ${errorMessage(e)}`)
  }
  return {
    dataDir,
    tool,
    name: membership.name,
    initialCluster: membership.initialCluster,
    initialAdvertisePeerUrls: membership.initialAdvertisePeerUrls,
    bumpedBy: bumpArgs.length ? bump : 0,
    markedCompacted: bumpArgs.length > 0,
    warnings,
    durationMs: Date.now() - started,
    created: created.filter(p => p !== staging)
  }
}

/** 'absent' or 'empty'; anything else is refused before a byte is written. */
export function inspectDataDirSync(dataDir: string): 'absent' | 'empty' {
  let stat
  try {
    stat = lstatSync(dataDir)
  } catch (e: unknown) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 'absent'
    throw new ConfigurationError(`data-dir ${dataDir} cannot be inspected: ${errorMessage(e)}`)
  }
  if (!stat.isDirectory())
    throw new ConfigurationError(`data-dir ${dataDir} exists and is not a directory; give a new or empty directory`)
  const entries = readdirSync(dataDir)
  if (entries.length) {
    throw new ConfigurationError(
      `data-dir ${dataDir} is not empty (${entries.slice(0, 3).join(', ')}${entries.length > 3 ? ', …' : ''}); restore into a new directory and swap it in while etcd is stopped`
    )
  }
  return 'empty'
}

async function pathExists(p: string): Promise<boolean> {
  return fs.lstat(p).then(
    () => true,
    () => false
  )
}

/** The tool's own error line ("Error: ..."), without its JSON log lines. */
function toolError(text: string, code: number | null): string {
  const lines = text
    .split('\n')
    .map(l => l.trim())
    .filter(Boolean)
  const error = [...lines].reverse().find(l => /^Error:/i.test(l)) ?? [...lines].reverse().find(l => !l.startsWith('{'))
  return (error ?? `exit code ${code}`).replace(/^Error:\s*/i, '').slice(0, 300)
}
