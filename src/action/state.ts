/** Names of the values main hands to post through the runner's state file. */
export enum State {
  /** The 0700 dir holding the plaintext snapshot and credential files. */
  PrivateDir = 'private-dir',
  /** The encrypted file being written; if it survives as `.partial`, post removes it. */
  OutputFile = 'output-file',
  /** 'true' once the backup file passed every check; until then post removes it as unfinished. */
  OutputVerified = 'output-verified',
  /** The S3 key of an offsite upload under way; empty once it completed or was aborted. */
  S3Upload = 's3-upload'
}
