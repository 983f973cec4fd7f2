import type { TlsSettings } from '../etcd/tls.js'
import type { Compression, Encryption } from '../format/layers.js'
import type { S3Settings } from '../s3/settings.js'

/** What one backup run is asked to do: the backup action's inputs, parsed and checked (action/inputs.ts). */
export interface BackupSettings {
  /** etcd client URLs, each scheme://host:port with no path. */
  endpoints: string[]
  /** TLS material, or undefined when cacert, cert and key are all empty. */
  tls?: TlsSettings
  /** etcd auth user and password, when auth is enabled. */
  username?: string
  password?: string
  /** Path or bare name of etcdctl; resolved on PATH later. */
  etcdctl: string
  /** Path or bare name of etcdutl; optional (etcd 3.4 has none) unless named explicitly. */
  etcdutl: string
  etcdutlExplicit: boolean
  /** Whether the etcdctl input was set (a named path that is missing is an error, never a reason to download). */
  etcdctlExplicit: boolean
  /** etcd release to install into the tool cache when etcdctl is not on the runner (e.g. 3.5.17). */
  etcdVersion?: string
  /** Base URL laid out like etcd's GitHub releases (`<base>/v<ver>/etcd-v<ver>-linux-<arch>.tar.gz`, SHA256SUMS). */
  etcdDownloadUrl: string
  /** How the snapshot is encrypted. */
  encryption: Encryption
  /** Compression applied before encryption, and its level. */
  compression: Compression
  compressionLevel: number
  /** Artifact name; also the base name of the encrypted file. */
  artifactName: string
  /** Artifact retention in days; undefined means the repository default. */
  retentionDays?: number
  /** Upload the artifact, or keep the encrypted file on the runner only. */
  upload: boolean
  /** Where the encrypted file and manifest are written. */
  outputDir: string
  /** Fail when the snapshot holds fewer keys than this. */
  minKeys: number
  /** Key prefixes that must have at least one live key. */
  requiredKeys: string[]
  /** Limit for taking the snapshot, in milliseconds. */
  timeoutMs: number
  /** Restore the snapshot into a throwaway etcd and check it serves the same data before the job passes. */
  restoreDrill: boolean
  /** The etcd server binary for the drill (path or name on PATH). */
  etcd: string
  /** Limit for the upload, in milliseconds: the artifact client itself waits forever for a service that hangs. */
  uploadTimeoutMs: number
  /** Where the offsite copy goes in S3 or an S3-compatible store; absent: no offsite copy. */
  s3?: S3Settings
}
