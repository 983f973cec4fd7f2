/**
 * The artifact service emulator's own block-blob and Twirp behaviour over raw HTTP, so a test that passes against it
 * says something about the real service.
 */
import { createHash, randomBytes } from 'node:crypto'
import * as zlib from 'node:zlib'
import { blockListXml, readZipEntries, startArtifactService } from '../../harness/artifact-service.js'

const service = await startArtifactService()

beforeEach(() => {
  service.requests.length = 0
})

afterAll(async () => {
  await service.stop()
})

describe('emulator protocol over raw HTTP', () => {
  const twirp = `${service.url}/twirp/github.actions.results.api.v1.ArtifactService`

  function backendIds(env: Record<string, string>): { run: string; job: string } {
    const payload = (env['ACTIONS_RUNTIME_TOKEN'] ?? '').split('.')[1] ?? ''
    const { scp } = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { scp: string }
    const [, run, job] = /Actions\.Results:([^:\s]+):([^:\s]+)/.exec(scp) ?? []
    return { run: run ?? '', job: job ?? '' }
  }

  async function call(method: string, body: object, token = service.env['ACTIONS_RUNTIME_TOKEN']): Promise<Response> {
    return fetch(`${twirp}/${method}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify(body)
    })
  }

  const ids = backendIds(service.env)
  const blockId = (n: number): string => Buffer.from(`block-${String(n).padStart(6, '0')}`).toString('base64')
  const blocks = [Buffer.from('first block|'), Buffer.from('second block|'), Buffer.from('third block')]

  async function createUpload(name: string): Promise<string> {
    const response = await call('CreateArtifact', {
      workflow_run_backend_id: ids.run,
      workflow_job_run_backend_id: ids.job,
      name,
      version: 7
    })
    expect(response.status).toBe(200)
    return ((await response.json()) as { signed_upload_url: string }).signed_upload_url
  }

  async function putBlock(uploadUrl: string, n: number, contentMd5?: string): Promise<Response> {
    return fetch(`${uploadUrl}&comp=block&blockid=${encodeURIComponent(blockId(n))}`, {
      method: 'PUT',
      headers: contentMd5 === undefined ? {} : { 'content-md5': contentMd5 },
      body: blocks[n]
    })
  }

  const md5 = (data: Buffer | undefined): string =>
    createHash('md5')
      .update(data ?? '')
      .digest('base64')

  async function putBlockList(uploadUrl: string, order: number[]): Promise<Response> {
    return fetch(`${uploadUrl}&comp=blocklist`, {
      method: 'PUT',
      headers: { 'x-ms-blob-content-type': 'application/zip' },
      body: blockListXml(order.map(blockId))
    })
  }

  async function finalize(name: string, size: number): Promise<number> {
    const response = await call('FinalizeArtifact', {
      workflow_run_backend_id: ids.run,
      workflow_job_run_backend_id: ids.job,
      name,
      size: String(size),
      hash: 'sha256:0'
    })
    expect(response.status).toBe(200)
    return Number(((await response.json()) as { artifact_id: string }).artifact_id)
  }

  test.each([
    ['in order', [0, 1, 2]],
    ['out of order', [2, 0, 1]]
  ])('blocks arriving %s are assembled in block-list order', async (label, arrival) => {
    const name = `raw-blocks-${label.replace(/ /g, '-')}`
    const uploadUrl = await createUpload(name)
    for (const n of arrival) {
      const response = await putBlock(uploadUrl, n, md5(blocks[n]))
      expect(response.status).toBe(201)
      expect(response.headers.get('content-md5')).toBe(md5(blocks[n]))
      expect(response.headers.get('x-ms-request-id')).toBeTruthy()
    }
    const committed = await putBlockList(uploadUrl, [0, 1, 2])
    expect(committed.status).toBe(201)
    expect(committed.headers.get('etag')).toMatch(/^"0x[0-9A-F]+"$/)
    expect(committed.headers.get('last-modified')).toBeTruthy()
    const expected = Buffer.concat(blocks)
    const id = await finalize(name, expected.length)
    const download = await fetch(service.signedDownloadUrl(id))
    expect(download.status).toBe(200)
    expect(download.headers.get('content-type')).toBe('application/zip')
    expect(Buffer.from(await download.arrayBuffer()).equals(expected)).toBe(true)
  })

  test('a block failing its Content-MD5 and a list naming an unknown block are refused; unlisted blocks are discarded', async () => {
    const uploadUrl = await createUpload('raw-partial')
    const damaged = await putBlock(uploadUrl, 0, md5(blocks[1]))
    expect(damaged.status).toBe(400)
    expect(damaged.headers.get('x-ms-error-code')).toBe('Md5Mismatch')
    for (const n of [0, 1, 2]) await putBlock(uploadUrl, n)
    const bad = await putBlockList(uploadUrl, [0, 7])
    expect(bad.status).toBe(400)
    expect(bad.headers.get('x-ms-error-code')).toBe('InvalidBlockList')
    expect(await bad.text()).toMatch(/<Error><Code>InvalidBlockList<\/Code><Message>/)
    expect((await putBlockList(uploadUrl, [2, 0])).status).toBe(201)
    const expected = Buffer.concat([blocks[2] ?? Buffer.alloc(0), blocks[0] ?? Buffer.alloc(0)])
    const id = await finalize('raw-partial', expected.length)
    const url = service.signedDownloadUrl(id)
    expect(Buffer.from(await (await fetch(url)).arrayBuffer()).equals(expected)).toBe(true)

    const range = await fetch(url, { headers: { range: 'bytes=2-6' } })
    expect(range.status).toBe(206)
    expect(range.headers.get('content-range')).toBe(`bytes 2-6/${expected.length}`)
    expect(Buffer.from(await range.arrayBuffer()).equals(expected.subarray(2, 7))).toBe(true)
    const head = await fetch(url, { method: 'HEAD' })
    expect(head.status).toBe(200)
    expect(head.headers.get('content-length')).toBe(String(expected.length))
    expect(head.headers.get('x-ms-blob-type')).toBe('BlockBlob')
  })

  test('single-shot Put Blob, and signed URLs that only allow what they were issued for', async () => {
    const uploadUrl = await createUpload('raw-put-blob')
    const data = randomBytes(1000)
    const noType = await fetch(uploadUrl, { method: 'PUT', body: data })
    expect(noType.status).toBe(400)
    const put = await fetch(uploadUrl, { method: 'PUT', headers: { 'x-ms-blob-type': 'BlockBlob' }, body: data })
    expect(put.status).toBe(201)
    expect(put.headers.get('content-md5')).toBe(md5(data))
    expect((await fetch(uploadUrl)).status).toBe(403) // an upload URL cannot read
    const forged = uploadUrl.replace(/sig=[^&]+/, `sig=${encodeURIComponent(randomBytes(32).toString('base64'))}`)
    const refused = await fetch(forged, { method: 'PUT', headers: { 'x-ms-blob-type': 'BlockBlob' }, body: data })
    expect(refused.status).toBe(403)
    expect(refused.headers.get('x-ms-error-code')).toBe('AuthenticationFailed')
    const id = await finalize('raw-put-blob', data.length)
    expect(Buffer.from(await (await fetch(service.signedDownloadUrl(id))).arrayBuffer()).equals(data)).toBe(true)
  })

  test('Twirp errors are JSON: bad token, unknown method, wrong run, finalize with a wrong size', async () => {
    const unauthenticated = await call('ListArtifacts', { workflow_run_backend_id: ids.run }, 'not-a-jwt')
    expect(unauthenticated.status).toBe(401)
    expect(await unauthenticated.json()).toEqual({ code: 'unauthenticated', msg: 'missing or malformed bearer token' })
    const unknown = await call('UploadEverything', {})
    expect(unknown.status).toBe(404)
    expect(((await unknown.json()) as { code: string }).code).toBe('bad_route')
    const otherRun = await call('ListArtifacts', { workflow_run_backend_id: 'someone-else' })
    expect(otherRun.status).toBe(403)
    expect(((await otherRun.json()) as { code: string }).code).toBe('permission_denied')

    const uploadUrl = await createUpload('raw-wrong-size')
    await fetch(uploadUrl, { method: 'PUT', headers: { 'x-ms-blob-type': 'BlockBlob' }, body: 'abc' })
    const wrongSize = await call('FinalizeArtifact', {
      workflow_run_backend_id: ids.run,
      workflow_job_run_backend_id: ids.job,
      name: 'raw-wrong-size',
      size: '4'
    })
    expect(wrongSize.status).toBe(400)
    expect(await wrongSize.json()).toEqual({
      code: 'invalid_argument',
      msg: 'size 4 does not match the uploaded blob (3 bytes)'
    })
  })

  test('injected faults answer in the protocol error shape, then recover', async () => {
    service.failNext('ListArtifacts', 1, 503, 'try later')
    const failed = await call('ListArtifacts', { workflow_run_backend_id: ids.run })
    expect(failed.status).toBe(503)
    expect(await failed.json()).toEqual({ code: 'unavailable', msg: 'try later' })
    expect((await call('ListArtifacts', { workflow_run_backend_id: ids.run })).status).toBe(200)
  })

  test('the zip reader handles deflated entries and rejects corrupt ones', () => {
    // A zip with one deflated entry, built by hand: local header, data, central directory, end record.
    const { deflateRawSync, crc32 } = zlib
    const content = Buffer.from('hello hello hello hello')
    const packed = deflateRawSync(content)
    const name = Buffer.from('a.txt')
    const local = Buffer.alloc(30)
    local.writeUInt32LE(0x04034b50, 0)
    local.writeUInt16LE(8, 8)
    local.writeUInt32LE(crc32(content), 14)
    local.writeUInt32LE(packed.length, 18)
    local.writeUInt32LE(content.length, 22)
    local.writeUInt16LE(name.length, 26)
    const central = Buffer.alloc(46)
    central.writeUInt32LE(0x02014b50, 0)
    central.writeUInt16LE(8, 10)
    central.writeUInt32LE(crc32(content), 16)
    central.writeUInt32LE(packed.length, 20)
    central.writeUInt32LE(content.length, 24)
    central.writeUInt16LE(name.length, 28)
    const cdOffset = local.length + name.length + packed.length
    const end = Buffer.alloc(22)
    end.writeUInt32LE(0x06054b50, 0)
    end.writeUInt16LE(1, 8)
    end.writeUInt16LE(1, 10)
    end.writeUInt32LE(central.length + name.length, 12)
    end.writeUInt32LE(cdOffset, 16)
    const zip = Buffer.concat([local, name, packed, central, name, end])
    expect(readZipEntries(zip).get('a.txt')?.equals(content)).toBe(true)
    const corrupt = Buffer.from(zip)
    corrupt.writeUInt32LE((crc32(content) ^ 1) >>> 0, cdOffset + 16)
    expect(() => readZipEntries(corrupt)).toThrow(/CRC-32 mismatch/)
    expect(() => readZipEntries(Buffer.from('not a zip at all, not even close'))).toThrow(/not a zip/)
  })
})
