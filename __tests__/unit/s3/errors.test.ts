/** One-line S3 failures, chosen from the SDK's error name, the S3 code and the HTTP status, never from message text. */
import { ConfigurationError } from '../../../src/errors.js'
import { S3Error, s3Failure } from '../../../src/s3/errors.js'

const op = { verb: 'upload', bucket: 'etcd-backups', key: 'prod/n/n.db.zst.age', endpoint: 'http://127.0.0.1:9000' }

/** An error shaped as the AWS SDK v3 throws it. */
function sdkError(name: string, status: number, message = 'text that must not matter'): Error {
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } })
}

describe('s3Failure', () => {
  it('calls a full store out of space, by its code or by HTTP 507', () => {
    for (const e of [sdkError('XMinioStorageFull', 507), sdkError('Unknown', 507)]) {
      const failure = s3Failure(e, op)
      expect(failure).toBeInstanceOf(S3Error)
      expect(failure.message).toMatch(
        /^upload of s3:\/\/etcd-backups\/prod\/n\/n\.db\.zst\.age failed: the store at http:\/\/127\.0\.0\.1:9000 is out of space/
      )
    }
  })

  it('calls any other 5xx an internal error to retry', () => {
    expect(s3Failure(sdkError('InternalError', 500), op).message).toMatch(
      /failed: the store had an internal error .*run again$/
    )
  })

  it('makes refused credentials and a missing bucket a configuration error the user fixes', () => {
    const creds = s3Failure(sdkError('InvalidAccessKeyId', 403), op)
    expect(creds).toBeInstanceOf(ConfigurationError)
    expect(creds.message).toContain('the credentials were refused (InvalidAccessKeyId, HTTP 403)')
    const bucket = s3Failure(sdkError('NoSuchBucket', 404), op)
    expect(bucket).toBeInstanceOf(ConfigurationError)
    expect(bucket.message).toContain('bucket etcd-backups does not exist at http://127.0.0.1:9000')
  })

  it('names a dropped connection by its socket code, looking into causes', () => {
    const dropped = Object.assign(new Error('outer'), {
      cause: Object.assign(new Error('inner'), { code: 'ECONNRESET' })
    })
    expect(s3Failure(dropped, op).message).toContain('could not be reached or dropped the connection (ECONNRESET)')
  })
})
