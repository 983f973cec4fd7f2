/** The offsite copy to S3 or an S3-compatible store: settings, upload after the gate, download for a restore. */
export { s3Client, type S3ClientOptions, type S3Credentials } from './client.js'
export { downloadObject, type DownloadedObject, type DownloadOptions } from './download.js'
export { S3Error, s3Failure, type S3Operation } from './errors.js'
export {
  backupKey,
  formatS3Uri,
  manifestUri,
  parseS3Settings,
  parseS3Uri,
  type ObjectLock,
  type ObjectLockMode,
  type S3Access,
  type S3Inputs,
  type S3Location,
  type S3Settings
} from './settings.js'
export {
  abortUnfinishedUploads,
  checkDestination,
  DEFAULT_PART_SIZE,
  DEFAULT_QUEUE_SIZE,
  startUpload,
  uploadFile,
  type S3Upload,
  type UploadedObject,
  type UploadOptions
} from './upload.js'
