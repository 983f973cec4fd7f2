/**
 * The S3-compatible server the offsite-copy tests run against (harness/s3-server.ts) is a real S3 server with what
 * that feature needs: buckets created with Object Lock, objects written with a GOVERNANCE retention, and a version
 * under retention that a plain DELETE cannot remove. It also listens on loopback only and checks signatures.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs'
import { contentMd5, s3Request, startS3Server, type S3Server } from '../../harness/s3-server.js'

let s3: S3Server

beforeAll(async () => {
  // A fresh machine builds the server first (scripts/dev.sh s3-server-path): minutes, not seconds.
  s3 = await startS3Server()
}, 1_800_000)

afterAll(async () => {
  await s3?.stop()
})

/** Local addresses (ip:port) of every TCP socket the process listens on, from /proc (IPv4 and IPv6). */
function listeningAddresses(pid: number): string[] {
  const inodes = new Set<string>()
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`))
      if (m) inodes.add(m[1] as string)
    } catch {
      // closed meanwhile
    }
  }
  const out: string[] = []
  for (const table of ['tcp', 'tcp6']) {
    for (const line of readFileSync(`/proc/net/${table}`, 'utf8').trim().split('\n').slice(1)) {
      const f = line.trim().split(/\s+/)
      const [local, state, inode] = [f[1] ?? '', f[3], f[9] ?? '']
      if (state !== '0A' || !inodes.has(inode)) continue // 0A: LISTEN
      const [hex = '', port = ''] = local.split(':')
      // /proc prints addresses as 32-bit words in little-endian order: 0100007F is 127.0.0.1 (also inside a
      // v4-mapped IPv6 address), 00000000000000000000000001000000 is ::1. Any other IPv6 address stays hex.
      const v4 = hex.length === 8 ? hex : /^0{16}FFFF0000/i.test(hex) ? hex.slice(24) : ''
      const ip = v4
        ? (v4.match(/../g) ?? [])
            .reverse()
            .map(b => parseInt(b, 16))
            .join('.')
        : hex === '00000000000000000000000001000000'
          ? '[::1]'
          : `[${hex.toLowerCase()}]`
      out.push(`${ip}:${parseInt(port, 16)}`)
    }
  }
  return out.sort()
}

test('the server listens on loopback only (its console is off, and bound to 127.0.0.1 anyway)', () => {
  const port = new URL(s3.endpoint).port
  expect(s3.name).toBe('minio')
  expect(s3.consoleAddress).toMatch(/^127\.0\.0\.1:\d+$/)
  const addresses = listeningAddresses(s3.pid)
  expect(addresses).toContain(`127.0.0.1:${port}`)
  // MinIO also listens on [::1] at the S3 port: loopback too.
  for (const address of addresses) expect(address).toMatch(/^(127\.0\.0\.1|\[::1\]):\d+$/)
})

test('requests must be signed with the root credentials', async () => {
  const anonymous = await s3Request(s3.endpoint, null, { method: 'GET', path: '/' })
  expect(anonymous.status).toBe(403)
  const wrong = await s3Request(s3.endpoint, { ...s3, secretAccessKey: 'not-the-secret' }, { method: 'GET', path: '/' })
  expect(wrong.status).toBe(403)
  expect(wrong.body).toContain('SignatureDoesNotMatch')
  const listed = await s3.request({ method: 'GET', path: '/' })
  expect(listed.status).toBe(200)
  expect(listed.body).toContain('<ListAllMyBucketsResult')
})

test('Object Lock: a version under GOVERNANCE retention is refused a plain DELETE, and kept', async () => {
  const bucket = 'offsite-locked'
  const key = 'etcd/snapshot-1.db.zst.age'
  const body = Buffer.from('not really a snapshot, but bytes to keep')

  const created = await s3.request({
    method: 'PUT',
    path: `/${bucket}`,
    headers: { 'x-amz-bucket-object-lock-enabled': 'true' }
  })
  expect(created.status).toBe(200)
  // Object Lock turns versioning on with it.
  const versioning = await s3.request({ method: 'GET', path: `/${bucket}`, query: { versioning: '' } })
  expect(versioning.body).toContain('<Status>Enabled</Status>')
  const lockConfig = await s3.request({ method: 'GET', path: `/${bucket}`, query: { 'object-lock': '' } })
  expect(lockConfig.status).toBe(200)
  expect(lockConfig.body).toContain('<ObjectLockEnabled>Enabled</ObjectLockEnabled>')

  const retainUntil = new Date(Date.now() + 24 * 3600_000).toISOString()
  const put = await s3.request({
    method: 'PUT',
    path: `/${bucket}/${key}`,
    headers: {
      'content-md5': contentMd5(body),
      'x-amz-object-lock-mode': 'GOVERNANCE',
      'x-amz-object-lock-retain-until-date': retainUntil
    },
    body
  })
  expect(put.status).toBe(200)
  const versionId = put.headers['x-amz-version-id']
  expect(typeof versionId).toBe('string')
  const version = { versionId: versionId as string }

  const retention = await s3.request({ method: 'GET', path: `/${bucket}/${key}`, query: { retention: '', ...version } })
  expect(retention.status).toBe(200)
  expect(retention.body).toContain('<Mode>GOVERNANCE</Mode>')
  expect(new Date(/<RetainUntilDate>([^<]+)</.exec(retention.body)?.[1] ?? '').getTime()).toBe(
    new Date(retainUntil).getTime()
  )

  const refused = await s3.request({ method: 'DELETE', path: `/${bucket}/${key}`, query: version })
  // AWS answers 403 AccessDenied; MinIO 400 InvalidRequest "Object is WORM protected and cannot be overwritten".
  expect([400, 403]).toContain(refused.status)
  expect(refused.body).toMatch(/<Code>AccessDenied<\/Code>|WORM protected/)

  const kept = await s3.request({ method: 'GET', path: `/${bucket}/${key}`, query: version })
  expect(kept.status).toBe(200)
  expect(kept.body).toBe(body.toString())

  // GOVERNANCE, not COMPLIANCE: a caller allowed to bypass it (root is) can, when it says so.
  const bypassed = await s3.request({
    method: 'DELETE',
    path: `/${bucket}/${key}`,
    query: version,
    headers: { 'x-amz-bypass-governance-retention': 'true' }
  })
  expect(bypassed.status).toBe(204)
  const gone = await s3.request({ method: 'GET', path: `/${bucket}/${key}`, query: version })
  expect(gone.status).toBe(404)
})
