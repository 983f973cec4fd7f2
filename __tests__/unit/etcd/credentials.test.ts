/** TLS material for the etcd tools: the user's files as they are, PEM text from secrets as private files. */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from '@jest/globals'
import { prepareAccess } from '../../../src/etcd/credentials.js'

const dir = mkdtempSync(join(tmpdir(), 'credentials-test-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('prepareAccess', () => {
  it("passes a file's path on and writes PEM text to a 0600 file in the private dir", async () => {
    const pem = '-----BEGIN EC PRIVATE KEY-----\nMHc...\n-----END EC PRIVATE KEY-----\n'
    const access = await prepareAccess(
      {
        cacert: { kind: 'file', path: '/etc/kubernetes/pki/etcd/ca.crt' },
        cert: { kind: 'text', pem: 'CERT' },
        key: { kind: 'text', pem }
      },
      { username: 'root', password: 'pw' },
      dir
    )
    expect(access).toEqual({
      cacertFile: '/etc/kubernetes/pki/etcd/ca.crt',
      certFile: join(dir, 'client.crt'),
      keyFile: join(dir, 'client.key'),
      username: 'root',
      password: 'pw'
    })
    expect(readFileSync(join(dir, 'client.key'), 'utf8')).toBe(pem)
    expect(statSync(join(dir, 'client.key')).mode & 0o777).toBe(0o600)
  })

  it('gives no files without TLS', async () => {
    await expect(prepareAccess(undefined, {}, dir)).resolves.toEqual({
      cacertFile: undefined,
      certFile: undefined,
      keyFile: undefined,
      username: undefined,
      password: undefined
    })
  })
})
