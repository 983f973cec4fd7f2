import * as core from '@actions/core'
import * as path from 'node:path'
import { MAX_WORK_FACTOR_LIMIT, parseIdentities } from '../age/index.js'
import { ConfigurationError, errorMessage } from '../errors.js'
import { DEFAULT_BUMP_REVISION, inspectDataDirSync, resolveMembership } from '../restore/data-dir.js'
import { MAX_KEY_FILE_BYTES, parseBoolean, parseOutputDir, parseWholeNumber, readKeyFile } from '../input-values.js'
import { maskSecret } from './inputs.js'
import type { UnpackKey } from '../pipeline/unpack.js'
import type { DataDirTarget, ToolChoice } from '../restore/flow.js'
import { parseS3Source, type S3Source } from '../restore/s3-source.js'

/** The public input names of the restore action, exactly as in restore/action.yml. */
export enum Inputs {
  ArtifactName = 'artifact-name',
  ArtifactId = 'artifact-id',
  RunId = 'run-id',
  GithubToken = 'github-token',
  Repository = 'repository',
  Identity = 'identity',
  Passphrase = 'passphrase',
  MaxWorkFactor = 'max-work-factor',
  OutputDir = 'output-dir',
  DataDir = 'data-dir',
  Name = 'name',
  InitialCluster = 'initial-cluster',
  InitialAdvertisePeerUrls = 'initial-advertise-peer-urls',
  InitialClusterToken = 'initial-cluster-token',
  BumpRevision = 'bump-revision',
  MarkCompacted = 'mark-compacted',
  SkipHashCheck = 'skip-hash-check',
  Etcdctl = 'etcdctl',
  Etcdutl = 'etcdutl',
  S3Uri = 's3-uri',
  S3Endpoint = 's3-endpoint',
  S3Region = 's3-region',
  S3ForcePathStyle = 's3-force-path-style',
  S3VersionId = 's3-version-id'
}

/** Where the backup comes from: a workflow artifact (by name or id), or an object in S3. */
export type BackupSource = { artifact: { name: string } | { id: number } } | { s3: S3Source }

export interface RestoreSettings {
  /** Which artifact (by name, the newest of that name, or by id), or which S3 object. */
  source: BackupSource
  /** Another workflow run's artifact: its id, a token with actions:read, and optionally its repository. */
  runId?: number
  githubToken?: string
  repository?: string
  /** The age key; undefined for a backup made with encryption: none. */
  key?: UnpackKey
  /** Where the plaintext snapshot is written (removed again by the post step). */
  outputDir: string
  /** Accept a snapshot with no sha256 trailer (a copy of a member's member/snap/db); restore it with --skip-hash-check. */
  skipHashCheck: boolean
  /** Restore into this data dir (absent or empty); undefined means decrypt and verify only. */
  restore?: DataDirTarget & { bumpRevision: number; markCompacted: boolean }
  /** The etcd tools: they restore, and their release says what total-keys counts. */
  tools: ToolChoice
}

/**
 * Reads, validates and types every input; the identity, passphrase, token and (with s3-uri) the AWS secrets are masked
 * before anything else.
 */
export function getRestoreInputs(): RestoreSettings {
  const identity = core.getInput(Inputs.Identity)
  const passphrase = core.getInput(Inputs.Passphrase)
  const token = core.getInput(Inputs.GithubToken)
  maskSecret(identity)
  maskSecret(passphrase)
  maskSecret(token)
  // The AWS credentials come from the environment (configure-aws-credentials masks its own; keys set by hand are not).
  if (core.getInput(Inputs.S3Uri).trim())
    for (const variable of ['AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN']) maskSecret(process.env[variable] ?? '')

  const runIdText = core.getInput(Inputs.RunId).trim()
  const runId = runIdText ? parseWholeNumber(Inputs.RunId, runIdText, 1) : undefined
  if (runId !== undefined && !token && String(runId) !== process.env['GITHUB_RUN_ID']) {
    throw new ConfigurationError(
      `${Inputs.RunId} is set but ${Inputs.GithubToken} is empty: another run's artifacts need a token with actions:read (such as secrets.GITHUB_TOKEN with permissions: actions: read)`
    )
  }
  const repository = core.getInput(Inputs.Repository).trim()
  if (repository && !/^[\w.-]+\/[\w.-]+$/.test(repository)) {
    throw new ConfigurationError(`${Inputs.Repository} must be owner/name, not '${repository}'`)
  }
  const dataDirText = core.getInput(Inputs.DataDir).trim()
  return {
    source: parseSource(),
    runId,
    githubToken: token || undefined,
    repository: repository || undefined,
    key: parseKey(identity, passphrase),
    outputDir: parseOutputDir(Inputs.OutputDir, core.getInput(Inputs.OutputDir)),
    skipHashCheck: parseBoolean(Inputs.SkipHashCheck, core.getInput(Inputs.SkipHashCheck), false),
    restore: dataDirText ? parseRestore(dataDirText) : refuseEtcdFlagsWithoutDataDir(),
    tools: {
      etcdctl: core.getInput(Inputs.Etcdctl) || 'etcdctl',
      etcdutl: core.getInput(Inputs.Etcdutl) || 'etcdutl',
      etcdutlExplicit: core.getInput(Inputs.Etcdutl) !== ''
    }
  }
}

/** Exactly one source: an artifact by name or id, or an S3 object (whose AWS secrets are masked). */
function parseSource(): BackupSource {
  const name = core.getInput(Inputs.ArtifactName).trim()
  const id = core.getInput(Inputs.ArtifactId).trim()
  const s3 = parseS3Source({
    uri: core.getInput(Inputs.S3Uri),
    endpoint: core.getInput(Inputs.S3Endpoint),
    region: core.getInput(Inputs.S3Region),
    forcePathStyle: core.getInput(Inputs.S3ForcePathStyle),
    versionId: core.getInput(Inputs.S3VersionId)
  })
  if (s3) {
    if (name || id) {
      throw new ConfigurationError(
        `set either ${name ? Inputs.ArtifactName : Inputs.ArtifactId} or ${Inputs.S3Uri}, not both: the backup comes from one place`
      )
    }
    const artifactOnly = [Inputs.RunId, Inputs.Repository].filter(i => core.getInput(i).trim())
    if (artifactOnly.length) {
      throw new ConfigurationError(
        `${artifactOnly.join(', ')} ${artifactOnly.length === 1 ? 'applies' : 'apply'} only to an artifact, not to ${Inputs.S3Uri}; remove ${artifactOnly.length === 1 ? 'it' : 'them'}`
      )
    }
    return { s3 }
  }
  if (name && id) throw new ConfigurationError(`set either ${Inputs.ArtifactName} or ${Inputs.ArtifactId}, not both`)
  if (id) return { artifact: { id: parseWholeNumber(Inputs.ArtifactId, id, 1) } }
  if (!name) {
    throw new ConfigurationError(
      `set ${Inputs.ArtifactName} (the backup step's artifact-name output), ${Inputs.ArtifactId} or ${Inputs.S3Uri} (the backup step's s3-uri output) to say which backup to restore`
    )
  }
  return { artifact: { name } }
}

/**
 * The identity is the text of an age key file (AGE-SECRET-KEY-1..., comments allowed), normally from a secret; a
 * path to such a file on the runner is accepted too.
 */
function parseKey(identity: string, passphrase: string): UnpackKey | undefined {
  if (identity && passphrase)
    throw new ConfigurationError(`set either ${Inputs.Identity} or ${Inputs.Passphrase}, not both`)
  const factor = core.getInput(Inputs.MaxWorkFactor).trim()
  if (factor && !passphrase)
    throw new ConfigurationError(`${Inputs.MaxWorkFactor} applies only with ${Inputs.Passphrase}; remove it`)
  if (passphrase) {
    if (!factor) return { passphrase }
    return { passphrase, maxWorkFactor: parseWholeNumber(Inputs.MaxWorkFactor, factor, 1, MAX_WORK_FACTOR_LIMIT) }
  }
  if (!identity) return undefined
  let text = identity
  const single = identity.trim()
  if (!/AGE-SECRET-KEY-/i.test(single) && !single.includes('\n') && !single.startsWith('#')) {
    try {
      text = readKeyFile(Inputs.Identity, single, MAX_KEY_FILE_BYTES)
    } catch {
      throw new ConfigurationError(
        `${Inputs.Identity} must be the age secret key (AGE-SECRET-KEY-1..., from a secret) or the path of a key file on the runner`
      )
    }
    maskSecret(text)
  }
  try {
    return { identities: parseIdentities(text) }
  } catch (e: unknown) {
    throw new ConfigurationError(`${Inputs.Identity}: ${errorMessage(e)}`)
  }
}

function parseRestore(dataDirText: string): NonNullable<RestoreSettings['restore']> {
  const dataDir = path.resolve(dataDirText)
  // Refuse a non-empty data dir before downloading anything.
  try {
    inspectDataDirSync(dataDir)
  } catch (e: unknown) {
    throw new ConfigurationError(`${Inputs.DataDir}: ${errorMessage(e).replace(/^data-dir /, '')}`)
  }
  const membership = {
    name: core.getInput(Inputs.Name).trim() || undefined,
    initialCluster: core.getInput(Inputs.InitialCluster).trim() || undefined,
    initialAdvertisePeerUrls: core.getInput(Inputs.InitialAdvertisePeerUrls).trim() || undefined
  }
  resolveMembership(membership)
  const bumpText = core.getInput(Inputs.BumpRevision).trim()
  const bumpRevision = bumpText ? parseWholeNumber(Inputs.BumpRevision, bumpText, 0) : DEFAULT_BUMP_REVISION
  const markText = core.getInput(Inputs.MarkCompacted).trim().toLowerCase()
  let markCompacted = bumpRevision > 0
  if (markText) {
    markCompacted = parseBoolean(Inputs.MarkCompacted, markText, false)
    if (markCompacted !== bumpRevision > 0) {
      throw new ConfigurationError(
        `${Inputs.MarkCompacted}: ${markText} with ${Inputs.BumpRevision} ${bumpRevision}: etcd marks the old revisions compacted exactly when it bumps the revision; leave ${Inputs.MarkCompacted} empty`
      )
    }
  }
  return {
    dataDir,
    ...membership,
    initialClusterToken: core.getInput(Inputs.InitialClusterToken).trim() || undefined,
    bumpRevision,
    markCompacted
  }
}

function refuseEtcdFlagsWithoutDataDir(): undefined {
  const set = [Inputs.Name, Inputs.InitialCluster, Inputs.InitialAdvertisePeerUrls, Inputs.InitialClusterToken].filter(
    i => core.getInput(i).trim()
  )
  if (set.length) {
    throw new ConfigurationError(
      `${set.join(', ')} ${set.length === 1 ? 'applies' : 'apply'} only to a restore: set ${Inputs.DataDir} too, or remove ${set.length === 1 ? 'it' : 'them'}`
    )
  }
  return undefined
}
