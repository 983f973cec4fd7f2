/** Errors as each of the three front ends answers them: Twirp JSON {code,msg}, Azure XML, GitHub REST JSON. */
import type http from 'node:http'
import { randomUUID } from 'node:crypto'

/** Which front end a request went to: it decides the shape of error answers. */
export type FrontEnd = 'twirp' | 'blob' | 'rest'

export const AZURE_API_VERSION = '2025-01-05'

/** A refusal with the status and code the front end answers with. */
export class HttpFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string
  ) {
    super(message)
  }
}

/** Twirp's error codes for the HTTP statuses a test may inject. */
export function twirpCodeFor(status: number): string {
  const codes: Record<number, string> = {
    400: 'invalid_argument',
    401: 'unauthenticated',
    403: 'permission_denied',
    404: 'not_found',
    408: 'deadline_exceeded',
    409: 'already_exists',
    412: 'failed_precondition',
    429: 'resource_exhausted',
    500: 'internal',
    501: 'unimplemented',
    503: 'unavailable'
  }
  return codes[status] ?? (status >= 500 ? 'unavailable' : 'invalid_argument')
}

/** Azure's x-ms-error-code for the HTTP statuses a test may inject. */
export function azureCodeFor(status: number): string {
  const codes: Record<number, string> = {
    400: 'InvalidInput',
    403: 'AuthenticationFailed',
    404: 'BlobNotFound',
    409: 'BlobAlreadyExists',
    413: 'RequestBodyTooLarge',
    500: 'InternalError',
    503: 'ServerBusy'
  }
  return codes[status] ?? (status >= 500 ? 'InternalError' : 'InvalidInput')
}

export function xmlEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}

export function asString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined
}

export function base64url(data: Buffer | string): string {
  return Buffer.from(data).toString('base64url')
}

/** Answers with an error in the front end's own format. */
export function fail(res: http.ServerResponse, kind: FrontEnd, status: number, code: string, message: string): void {
  if (kind === 'blob') {
    const xml = `<?xml version="1.0" encoding="utf-8"?><Error><Code>${xmlEscape(code)}</Code><Message>${xmlEscape(message)}\nRequestId:${randomUUID()}\nTime:${new Date().toISOString()}</Message></Error>`
    res.writeHead(status, { 'content-type': 'application/xml', 'x-ms-error-code': code }).end(xml)
  } else if (kind === 'rest') {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' })
    res.end(JSON.stringify({ message, documentation_url: 'https://docs.github.com/rest', status: String(status) }))
  } else {
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ code, msg: message }))
  }
}
