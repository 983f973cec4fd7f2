/**
 * Upload and download of backups as workflow artifacts, through the official @actions/artifact client (artifact
 * service v4). The client reads its configuration from the runner's environment when called (ACTIONS_RUNTIME_TOKEN,
 * ACTIONS_RESULTS_URL, GITHUB_SERVER_URL, GITHUB_RETENTION_DAYS, ACTIONS_ARTIFACT_UPLOAD_*), except GITHUB_API_URL,
 * which @actions/github reads once when it is first imported.
 */
import { DefaultArtifactClient, type Artifact, type FindOptions } from '@actions/artifact'
import { promises as fs } from 'node:fs'
import * as path from 'node:path'
import { extractZip, ZipRefusal } from './artifact-zip.js'
import { ArtifactError, ConfigurationError, errorMessage } from '../errors.js'

export interface UploadBackupOptions {
  /** Artifact name; unique within the workflow run. */
  name: string
  /** Files to put in the artifact, all inside rootDirectory. */
  files: string[]
  /** Paths inside the artifact are relative to this directory. */
  rootDirectory: string
  /** 1–90; the repository default when absent (the service caps it at GITHUB_RETENTION_DAYS). */
  retentionDays?: number
  /** Give up after this long; the client itself waits forever for an artifact service that stops answering. */
  timeoutMs?: number
}

export interface UploadedBackup {
  id: number
  /** Bytes stored (the zip the client built around the files). */
  size: number
  /** sha256 of the stored zip, hex, as actions/upload-artifact reports it. */
  digest?: string
  /** Where a person finds the artifact in the GitHub UI. */
  url: string
}

export interface DownloadBackupOptions {
  /** Artifact name (the newest of that name); give this or id. */
  name?: string
  /** Artifact id; give this or name. */
  id?: number
  /** Workflow run the artifact belongs to, when it is not the current run; needs token. */
  runId?: number
  /** Token with actions:read on the repository, for another run's artifacts. */
  token?: string
  /** owner/name of another run's repository; the current repository by default. */
  repository?: string
  /**
   * Directory to extract the artifact into; created when missing. Use a new, empty one: files lists everything under
   * it. The zip is downloaded into it, checked against its digest and then extracted with every entry held to its
   * size (see artifact-zip.ts); after a failure nothing extracted is kept.
   */
  path: string
  /** Give up after this long. */
  timeoutMs?: number
}

export interface DownloadedBackup {
  /** Absolute path of the directory the artifact was extracted into. */
  path: string
  /** Absolute paths of every regular file under that directory after the download, sorted. */
  files: string[]
  /** Id of the artifact downloaded. */
  id: number
}

/** Uploads files as one artifact, stored uncompressed in the zip (the backup is already compressed and encrypted). */
export async function uploadBackup(opts: UploadBackupOptions): Promise<UploadedBackup> {
  const env = actionsRuntime(
    'upload the backup as an artifact',
    'set `upload: false` to keep the encrypted file on the runner only'
  )
  if (
    opts.retentionDays !== undefined &&
    !(Number.isInteger(opts.retentionDays) && opts.retentionDays >= 1 && opts.retentionDays <= 90)
  ) {
    throw new ConfigurationError(`retention-days must be a whole number from 1 to 90, got ${opts.retentionDays}`)
  }
  const client = new DefaultArtifactClient()
  const what = `Upload of artifact "${opts.name}"`
  let result
  try {
    result = await withTimeout(
      client.uploadArtifact(opts.name, opts.files, opts.rootDirectory, {
        compressionLevel: 0,
        ...(opts.retentionDays === undefined ? {} : { retentionDays: opts.retentionDays })
      }),
      opts.timeoutMs,
      what
    )
  } catch (e: unknown) {
    // Our own timeout is already worded; wrapping it again would say "failed: ... failed:".
    if (e instanceof ArtifactError) throw e
    throw serviceError(what, e)
  }
  if (result.id === undefined) {
    throw new ArtifactError(`${what} failed: the artifact service returned no artifact id; retry the job`)
  }
  return {
    id: result.id,
    size: result.size ?? 0,
    ...(result.digest ? { digest: result.digest } : {}),
    url: `${env.serverUrl}/${env.repository}/actions/runs/${env.runId}/artifacts/${result.id}`
  }
}

/**
 * Downloads an artifact by name or id and extracts it into opts.path: from the current run through the artifact
 * service, or from another run (runId and token) through the GitHub REST API. The zip's sha256 is checked against the
 * digest recorded at upload when the service has one.
 */
export async function downloadBackup(opts: DownloadBackupOptions): Promise<DownloadedBackup> {
  if ((opts.name === undefined) === (opts.id === undefined)) {
    throw new ConfigurationError('Give either an artifact name or an artifact id to download, not both or neither')
  }
  const currentRunId = process.env['GITHUB_RUN_ID']
  const otherRun = opts.runId !== undefined && String(opts.runId) !== currentRunId
  if (otherRun && !opts.token) {
    throw new ConfigurationError(
      `Downloading an artifact from workflow run ${opts.runId} needs github-token: pass a token with actions:read on the repository`
    )
  }
  const findBy =
    opts.runId !== undefined && opts.token ? crossRunFindBy(opts.runId, opts.token, opts.repository) : undefined
  if (findBy === undefined) {
    actionsRuntime(
      'download an artifact of this run',
      'pass run-id and github-token to fetch an artifact of another run'
    )
  }
  const target = opts.id === undefined ? `artifact "${opts.name}"` : `artifact ${opts.id}`
  const what = `Download of ${target}${otherRun ? ` from run ${opts.runId}` : ''}`
  const directory = path.resolve(opts.path)
  const client = new DefaultArtifactClient()

  let artifact: Artifact
  let digestMismatch: boolean | undefined
  // The client's own extraction writes whatever an entry inflates to (and retries a full disk as if it were a network
  // failure): it only downloads the zip, and extractZip holds each entry to its size.
  await fs.mkdir(directory, { recursive: true })
  const zipDir = await fs.mkdtemp(path.join(directory, '.artifact-zip-'))
  try {
    try {
      const work = (async (): Promise<[Artifact, boolean | undefined]> => {
        const found = await findArtifact(client, opts, findBy)
        const response = await client.downloadArtifact(found.id, {
          path: zipDir,
          skipDecompress: true,
          ...(found.digest ? { expectedHash: found.digest } : {}),
          ...(findBy === undefined ? {} : { findBy })
        })
        return [found, response.digestMismatch]
      })()
      ;[artifact, digestMismatch] = await withTimeout(work, opts.timeoutMs, what)
    } catch (e: unknown) {
      if (e instanceof ArtifactError) throw e
      throw serviceError(what, e)
    }
    if (digestMismatch) {
      throw new ArtifactError(
        `${what} failed: the downloaded zip's sha256 differs from the digest recorded at upload (${artifact.digest}); it was damaged in storage or in transit; nothing was extracted, download it again`
      )
    }
    await extractArtifact(zipDir, directory, what)
  } finally {
    await fs.rm(zipDir, { recursive: true, force: true })
  }
  return { path: directory, files: await listFiles(directory), id: artifact.id }
}

/** Extracts the one file the client downloaded into zipDir; a refusal is final, never worth a retry. */
async function extractArtifact(zipDir: string, directory: string, what: string): Promise<void> {
  const downloaded = await fs.readdir(zipDir)
  if (downloaded.length !== 1) {
    throw new ArtifactError(
      `${what} failed: the client wrote ${downloaded.length} files instead of the zip; retry the job`
    )
  }
  try {
    await extractZip(path.join(zipDir, downloaded[0]!), directory)
  } catch (e: unknown) {
    if (e instanceof ZipRefusal) {
      throw new ArtifactError(
        `${what} failed: the artifact's zip is refused, ${e.message}; nothing from it was kept; the backup action did not upload this zip (it was replaced or made by hand), use another artifact`
      )
    }
    const code = (e as NodeJS.ErrnoException).code
    if (code === 'ENOSPC' || code === 'EDQUOT') {
      throw new ArtifactError(
        `${what} failed: no space left in ${directory} to extract the artifact; free space on the runner`
      )
    }
    throw new ArtifactError(`${what} failed: the artifact's zip cannot be extracted (${oneLine(errorMessage(e))})`)
  }
}

/** What the client needs to reach another run's artifacts through the REST API. */
function crossRunFindBy(
  runId: number,
  token: string,
  repository: string | undefined
): NonNullable<FindOptions['findBy']> {
  const repo = repository || process.env['GITHUB_REPOSITORY'] || ''
  const [owner, name, ...rest] = repo.split('/')
  if (!owner || !name || rest.length > 0) {
    throw new ConfigurationError(`repository must be owner/name, got "${repo}"`)
  }
  return { token, workflowRunId: runId, repositoryOwner: owner, repositoryName: name }
}

/** The artifact to download, with its digest, so a missing one fails before anything is written. */
async function findArtifact(
  client: DefaultArtifactClient,
  opts: DownloadBackupOptions,
  findBy: FindOptions['findBy']
): Promise<Artifact> {
  const find = findBy === undefined ? {} : { findBy }
  if (opts.name !== undefined) {
    return (await client.getArtifact(opts.name, find)).artifact
  }
  const { artifacts } = await client.listArtifacts(find)
  const found = artifacts.find(a => a.id === opts.id)
  if (found === undefined) {
    const where = findBy === undefined ? 'this workflow run' : `workflow run ${findBy.workflowRunId}`
    throw new ArtifactError(
      `Download of artifact ${opts.id} failed: ${where} has no artifact with that id; check the id, that the artifact has not expired, and for another run pass its run-id`
    )
  }
  return found
}

interface ActionsRuntime {
  serverUrl: string
  repository: string
  runId: string
}

/** The runner's environment for the artifact service, or a ConfigurationError that says how to do without it. */
function actionsRuntime(action: string, alternative: string): ActionsRuntime {
  const required = ['ACTIONS_RUNTIME_TOKEN', 'ACTIONS_RESULTS_URL', 'GITHUB_REPOSITORY', 'GITHUB_RUN_ID']
  const missing = required.filter(name => !process.env[name])
  if (missing.length > 0) {
    throw new ConfigurationError(
      `Cannot ${action}: ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not set, so this is not a step of a GitHub Actions workflow job (the runner gives them to JavaScript actions only); run it inside a workflow, or ${alternative}`
    )
  }
  return {
    serverUrl: (process.env['GITHUB_SERVER_URL'] || 'https://github.com').replace(/\/+$/, ''),
    repository: process.env['GITHUB_REPOSITORY'] ?? '',
    runId: process.env['GITHUB_RUN_ID'] ?? ''
  }
}

/** One line from the client's error, with a hint for the failures a user can act on. */
function serviceError(what: string, e: unknown): ArtifactError {
  const name = e instanceof Error ? e.name : ''
  const message = oneLine(errorMessage(e)).replace(/\.$/, '')
  let hint = 'retry the job; if it keeps failing, check https://www.githubstatus.com'
  if (/already exists/i.test(message)) {
    hint = 'artifact names must be unique within a workflow run; choose another artifact-name'
  } else if (name === 'UsageError') {
    hint = 'the artifact storage quota is used up; delete old artifacts or set `upload: false`'
  } else if (name === 'NetworkError') {
    hint = "check that the runner can reach GitHub's artifact endpoints (results-receiver and blob storage)"
  } else if (name === 'GHESNotSupportedError') {
    hint = 'GitHub Enterprise Server does not offer artifact service v4; set `upload: false`'
  } else if (name === 'ArtifactNotFoundError') {
    hint = 'check the name or id, that the artifact has not expired, and for another run pass run-id and github-token'
  } else if (name === 'FilesNotFoundError') {
    hint = 'the files to upload must exist inside the root directory'
  } else if (/\((401|403)\)|Bad credentials/i.test(message)) {
    hint = 'the token was refused; for another run use a github-token with actions:read on the repository'
  }
  return new ArtifactError(`${what} failed: ${message}; ${hint}`)
}

/** The first non-empty line, signed-URL signatures masked. */
function oneLine(text: string): string {
  const first = text
    .split(/\r?\n/)
    .map(line => line.trim())
    .find(line => line !== '')
  return (first ?? 'unknown error').replace(/([?&]sig=)[^&\s]+/gi, '$1***')
}

/** Races work against a timer; the work is left to settle on its own (the client cannot be cancelled). */
async function withTimeout<T>(work: Promise<T>, timeoutMs: number | undefined, what: string): Promise<T> {
  if (timeoutMs === undefined) return work
  work.catch(() => undefined) // a late failure after the timeout must not surface as an unhandled rejection
  let timer: NodeJS.Timeout | undefined
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new ArtifactError(
            `${what} failed: the artifact service did not answer within ${Math.round(timeoutMs / 1000)} s; retry the job later`
          )
        ),
      timeoutMs
    )
  })
  try {
    return await Promise.race([work, expired])
  } finally {
    clearTimeout(timer)
  }
}

async function listFiles(directory: string): Promise<string[]> {
  const entries = await fs.readdir(directory, { recursive: true, withFileTypes: true })
  return entries
    .filter(entry => entry.isFile())
    .map(entry => path.join(entry.parentPath, entry.name))
    .sort()
}
