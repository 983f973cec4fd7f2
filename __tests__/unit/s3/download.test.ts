/**
 * The check a download makes against the checksums the store kept (src/s3/download.ts PartChecker): each part's
 * SHA-256, then the composite one S3 keeps for a multipart object. A store that served other bytes than it was sent
 * (a flipped bit, a missing or an extra byte) is refused.
 */
import { createHash, randomBytes } from 'node:crypto'
import { PartChecker } from '../../../src/s3/download.js'
import { S3Error } from '../../../src/s3/errors.js'

const MiB = 1024 * 1024
const b64 = (data: Buffer): string => createHash('sha256').update(data).digest('base64')

/** What S3 keeps for `data` uploaded in parts of partSize: each part's checksum and the composite one. */
function stored(data: Buffer, partSize: number): { parts: { size: number; sha256: string }[]; composite: string } {
  const parts: { size: number; sha256: string }[] = []
  const digests: Buffer[] = []
  for (let i = 0; i < data.length; i += partSize) {
    const part = data.subarray(i, i + partSize)
    parts.push({ size: part.length, sha256: b64(part) })
    digests.push(createHash('sha256').update(part).digest())
  }
  return { parts, composite: `${createHash('sha256').update(Buffer.concat(digests)).digest('base64')}-${parts.length}` }
}

/** Feeds `data` in chunks of 1 MiB + 7 bytes (so chunks straddle parts), then ends. */
function feed(checker: PartChecker, data: Buffer): void {
  for (let i = 0; i < data.length; i += MiB + 7) checker.update(data.subarray(i, i + MiB + 7))
  checker.end()
}

const data = randomBytes(5 * MiB + 123)

test('the bytes that were uploaded pass, in parts and whole', () => {
  const { parts, composite } = stored(data, 2 * MiB)
  expect(() => feed(new PartChecker(parts, composite, 's3://b/k'), data)).not.toThrow()
  expect(() =>
    feed(new PartChecker([{ size: data.length, sha256: b64(data) }], undefined, 's3://b/k'), data)
  ).not.toThrow()
  expect(() =>
    feed(new PartChecker([{ size: 0, sha256: b64(Buffer.alloc(0)) }], undefined, 's3://b/k'), Buffer.alloc(0))
  ).not.toThrow()
})

test.each([
  [
    'a flipped bit in part 2',
    (d: Buffer) => Buffer.from(d).fill(d[3 * MiB]! ^ 1, 3 * MiB, 3 * MiB + 1),
    'part 2 does not match its SHA-256'
  ],
  ['a missing last byte', (d: Buffer) => d.subarray(0, d.length - 1), 'the object is shorter than its parts'],
  ['an extra byte', (d: Buffer) => Buffer.concat([d, Buffer.from([0])]), 'the object is longer than its parts'],
  ['a missing part', (d: Buffer) => d.subarray(0, 4 * MiB), 'the object is shorter than its parts']
])('%s is refused with one line', (_, damage, why) => {
  const { parts, composite } = stored(data, 2 * MiB)
  let error: unknown
  try {
    feed(new PartChecker(parts, composite, 's3://b/k'), damage(data))
  } catch (e: unknown) {
    error = e
  }
  expect(error).toBeInstanceOf(S3Error)
  expect((error as Error).message).toContain(`download of s3://b/k failed its checksum: ${why};`)
})

test('parts that match but do not add up to the stored composite checksum are refused', () => {
  const { parts } = stored(data, 2 * MiB)
  const other = stored(randomBytes(10), 2 * MiB).composite.replace(/-1$/, '-3')
  expect(() => feed(new PartChecker(parts, other, 's3://b/k'), data)).toThrow('its parts do not add up to its checksum')
})
