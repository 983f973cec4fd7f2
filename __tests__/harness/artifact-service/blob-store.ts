/**
 * An Azure block-blob endpoint under /blob/... that the signed URLs point at: Put Block, Put Block List, Put Blob,
 * Get Blob (with Range) and Get Blob Properties (HEAD), each checking the URL's signature, expiry and permission.
 */
import type http from 'node:http'
import { createHash, randomBytes } from 'node:crypto'
import { Readable } from 'node:stream'
import { asString, HttpFailure, xmlEscape } from './http.js'
import type { ServiceState } from './state.js'
import type { BlobOperation } from './types.js'

export interface BlockBlob {
  /** Each block as the request body's chunks arrived: joining them would copy every upload once more. */
  uncommitted: Map<string, Buffer[]>
  committedIds: string[]
  committedBlocks: Map<string, Buffer[]>
  /** The committed content, as the chunks of the blocks it was committed from (no copy: large uploads stay cheap). */
  data: Buffer[] | undefined
  size: number
  contentType: string | undefined
  contentMd5: string | undefined
  etag: string
  lastModified: Date
  createdAt: Date
}

function xmlUnescape(text: string): string {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&')
}

function md5Base64(chunks: readonly Buffer[]): string {
  const hash = createHash('md5')
  for (const chunk of chunks) hash.update(chunk)
  return hash.digest('base64')
}

export function blobOperation(method: string, url: URL): BlobOperation | undefined {
  const comp = url.searchParams.get('comp')
  if (method === 'PUT' && comp === 'block') return 'PutBlock'
  if (method === 'PUT' && comp === 'blocklist') return 'PutBlockList'
  if (method === 'PUT' && comp === null) return 'PutBlob'
  if (method === 'GET' && comp === null) return 'GetBlob'
  if (method === 'HEAD' && comp === null) return 'GetBlobProperties'
  return undefined
}

function newBlob(): BlockBlob {
  return {
    uncommitted: new Map(),
    committedIds: [],
    committedBlocks: new Map(),
    data: undefined,
    size: 0,
    contentType: undefined,
    contentMd5: undefined,
    etag: '',
    lastModified: new Date(),
    createdAt: new Date()
  }
}

function commit(blob: BlockBlob, parts: Buffer[], req: http.IncomingMessage): void {
  blob.data = parts
  blob.size = parts.reduce((sum, part) => sum + part.length, 0)
  blob.contentType = asString(req.headers['x-ms-blob-content-type']) ?? blob.contentType
  blob.contentMd5 = asString(req.headers['x-ms-blob-content-md5'])
  blob.etag = `"0x${randomBytes(8).toString('hex').toUpperCase()}"`
  blob.lastModified = new Date()
}

function writeHeaders(blob: BlockBlob): Record<string, string> {
  return {
    etag: blob.etag,
    'last-modified': blob.lastModified.toUTCString(),
    'x-ms-request-server-encrypted': 'true'
  }
}

export function blobRequest(
  state: ServiceState,
  operation: BlobOperation,
  url: URL,
  req: http.IncomingMessage,
  body: Buffer[],
  res: http.ServerResponse
): void {
  const blobPath = url.pathname
  const reading = operation === 'GetBlob' || operation === 'GetBlobProperties'
  state.credentials.checkSignature(url, reading ? 'r' : 'w')
  // Hashing every block would halve the emulator's throughput, and the SDK ignores Put Block's Content-MD5 unless it
  // sent one; so blocks are hashed only when the request carries Content-MD5 (checked, then echoed, as Azure does).
  const requestMd5 = asString(req.headers['content-md5'])
  const md5 = operation === 'PutBlock' && requestMd5 === undefined ? undefined : md5Base64(body)
  if (!reading && requestMd5 !== undefined && requestMd5 !== md5) {
    throw new HttpFailure(
      400,
      'Md5Mismatch',
      'The MD5 value specified in the request did not match with the MD5 value calculated by the server.'
    )
  }
  switch (operation) {
    case 'PutBlock': {
      const blockId = url.searchParams.get('blockid') ?? ''
      if (blockId === '' || Buffer.from(blockId, 'base64').length > 64) {
        throw new HttpFailure(
          400,
          'InvalidQueryParameterValue',
          'Value for one of the query parameters specified in the request URI is invalid.'
        )
      }
      const blob = state.blobs.get(blobPath) ?? newBlob()
      state.blobs.set(blobPath, blob)
      // Azure requires all block ids of one blob to have the same length.
      const other = blob.uncommitted.keys().next().value
      if (other !== undefined && other.length !== blockId.length) {
        throw new HttpFailure(400, 'InvalidBlobOrBlock', 'The specified blob or block content is invalid.')
      }
      blob.uncommitted.set(blockId, body)
      res.writeHead(201, { ...(md5 ? { 'content-md5': md5 } : {}), 'x-ms-request-server-encrypted': 'true' }).end()
      return
    }
    case 'PutBlockList': {
      const blob = state.blobs.get(blobPath) ?? newBlob()
      const xml = Buffer.concat(body).toString('utf8')
      if (!/<BlockList>[\s\S]*<\/BlockList>/.test(xml)) {
        throw new HttpFailure(400, 'InvalidXmlDocument', 'XML specified is not syntactically valid.')
      }
      const order: Array<{ id: string; data: Buffer[] }> = []
      for (const m of xml.matchAll(/<(Latest|Committed|Uncommitted)>([^<]*)<\/\1>/g)) {
        const list = m[1]
        const id = xmlUnescape(m[2] ?? '')
        const uncommitted = blob.uncommitted.get(id)
        const committed = blob.committedBlocks.get(id)
        const data =
          list === 'Uncommitted' ? uncommitted : list === 'Committed' ? committed : (uncommitted ?? committed)
        if (data === undefined) throw new HttpFailure(400, 'InvalidBlockList', 'The specified block list is invalid.')
        order.push({ id, data })
      }
      state.blobs.set(blobPath, blob)
      commit(
        blob,
        order.flatMap(b => b.data),
        req
      )
      // Committing discards every block not named in the list.
      blob.committedIds = order.map(b => b.id)
      blob.committedBlocks = new Map(order.map(b => [b.id, b.data]))
      blob.uncommitted.clear()
      res.writeHead(201, { ...writeHeaders(blob), 'content-md5': md5 ?? '' }).end()
      return
    }
    case 'PutBlob': {
      if (req.headers['x-ms-blob-type'] !== 'BlockBlob') {
        throw new HttpFailure(400, 'InvalidHeaderValue', 'x-ms-blob-type must be BlockBlob')
      }
      const blob = newBlob()
      state.blobs.set(blobPath, blob)
      commit(blob, body, req)
      blob.contentMd5 = blob.contentMd5 ?? md5
      res.writeHead(201, { ...writeHeaders(blob), 'content-md5': md5 ?? '' }).end()
      return
    }
    case 'GetBlob':
    case 'GetBlobProperties': {
      const blob = state.blobs.get(blobPath)
      if (!blob?.data) throw new HttpFailure(404, 'BlobNotFound', 'The specified blob does not exist.')
      const parts = blob.data
      const length = blob.size
      const headers: Record<string, string> = {
        'content-type': blob.contentType ?? 'application/octet-stream',
        etag: blob.etag,
        'last-modified': blob.lastModified.toUTCString(),
        'accept-ranges': 'bytes',
        'x-ms-blob-type': 'BlockBlob',
        'x-ms-creation-time': blob.createdAt.toUTCString(),
        'x-ms-lease-status': 'unlocked',
        'x-ms-lease-state': 'available',
        'x-ms-server-encrypted': 'true'
      }
      if (blob.contentMd5) headers['content-md5'] = blob.contentMd5
      const range = asString(req.headers['x-ms-range']) ?? asString(req.headers.range)
      let start = 0
      let end = length - 1
      let status = 200
      if (range !== undefined && operation === 'GetBlob') {
        const m = /^bytes=(\d+)-(\d*)$/.exec(range)
        if (!m)
          throw new HttpFailure(
            400,
            'InvalidRange',
            'The range specified is invalid for the current size of the resource.'
          )
        start = Number(m[1])
        end = m[2] ? Math.min(Number(m[2]), length - 1) : length - 1
        if (start >= length || start > end) {
          res.writeHead(416, { 'content-range': `bytes */${length}`, 'x-ms-error-code': 'InvalidRange' }).end()
          return
        }
        status = 206
        headers['content-range'] = `bytes ${start}-${end}/${length}`
      }
      headers['content-length'] = String(end - start + 1)
      res.writeHead(status, headers)
      if (operation === 'GetBlobProperties') res.end()
      else if (status === 206) res.end(Buffer.concat(parts).subarray(start, end + 1))
      else Readable.from(parts, { objectMode: false }).pipe(res)
      return
    }
  }
}

/** A block id list body as the Azure SDK sends it (for raw-HTTP tests of Put Block List). */
export function blockListXml(blockIds: string[]): string {
  const latest = blockIds.map(id => `<Latest>${xmlEscape(id)}</Latest>`).join('')
  return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><BlockList>${latest}</BlockList>`
}
