import * as core from '@actions/core'
import { parseS3Settings, type S3Settings } from '../s3/settings.js'

/** The offsite copy's input names, as in action.yml (part of the backup's inputs; apart so post can read them alone). */
export enum S3Input {
  Uri = 's3-uri',
  Endpoint = 's3-endpoint',
  Region = 's3-region',
  ForcePathStyle = 's3-force-path-style',
  ObjectLockMode = 's3-object-lock-mode',
  ObjectLockDays = 's3-object-lock-days',
  StorageClass = 's3-storage-class'
}

/**
 * The offsite copy's settings; its credentials come the standard way (AWS_* variables, as
 * aws-actions/configure-aws-credentials sets them after OIDC, or keys from secrets), masked here in case the
 * workflow set them without that action.
 */
export function parseS3Inputs(): S3Settings | undefined {
  const s3 = parseS3Settings({
    uri: core.getInput(S3Input.Uri),
    endpoint: core.getInput(S3Input.Endpoint),
    region: core.getInput(S3Input.Region),
    forcePathStyle: core.getInput(S3Input.ForcePathStyle),
    objectLockMode: core.getInput(S3Input.ObjectLockMode),
    objectLockDays: core.getInput(S3Input.ObjectLockDays),
    storageClass: core.getInput(S3Input.StorageClass)
  })
  if (s3)
    for (const name of ['AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN']) {
      const value = process.env[name]
      if (value) core.setSecret(value)
    }
  return s3
}
