/**
 * The age v1 header: the version line, recipient stanzas and the MAC line. Parsing is strict, as the
 * spec requires (canonical base64, 64-column body lines ending in a short line, no CR, single spaces).
 */

import { createHmac, timingSafeEqual } from 'node:crypto'
import { AgeError } from '../errors.js'
import { decodeCanonicalBase64, encodeBase64, hkdfSha256 } from './primitives.js'

export const VERSION_LINE = 'age-encryption.org/v1'
const VERSION_PREFIX = Buffer.from('age-encryption.org/')
const ARMOR_BEGIN = '-----BEGIN AGE ENCRYPTED FILE-----'
const STANZA_PREFIX = '-> '
const MAC_PREFIX = '---'
const BODY_COLUMNS = 64
const MAC_LENGTH = 32
/** Far above any real header (an X25519 stanza is ~110 bytes); bounds memory on garbage input. */
export const MAX_HEADER_BYTES = 1 << 20
/**
 * Far above any real recipient list, and what the encryptor allows too. Without it a 1 MiB header of tiny stanzas
 * holds ~175,000 of them, each one parsed, kept and tried.
 */
export const MAX_STANZAS = 1024

/** A recipient stanza: `-> type args...` and its binary body. */
export interface Stanza {
  readonly type: string
  readonly args: readonly string[]
  readonly body: Buffer
}

export interface ParsedHeader {
  readonly stanzas: readonly Stanza[]
  readonly mac: Buffer
  /** The header bytes the MAC covers: everything up to and including the `---` of the MAC line. */
  readonly macInput: Buffer
}

function headerMac(fileKey: Uint8Array, macInput: Uint8Array): Buffer {
  const macKey = hkdfSha256(fileKey, Buffer.alloc(0), 'header')
  return createHmac('sha256', macKey).update(macInput).digest()
}

/** Encodes a complete header, MAC line included. */
export function encodeHeader(stanzas: readonly Stanza[], fileKey: Uint8Array): Buffer {
  let text = VERSION_LINE + '\n'
  for (const stanza of stanzas) {
    text += STANZA_PREFIX + [stanza.type, ...stanza.args].join(' ') + '\n'
    const body = encodeBase64(stanza.body)
    let i = 0
    for (; i + BODY_COLUMNS <= body.length; i += BODY_COLUMNS) text += body.slice(i, i + BODY_COLUMNS) + '\n'
    // The body always ends with a line shorter than 64 columns, possibly empty.
    text += body.slice(i) + '\n'
  }
  text += MAC_PREFIX
  const macInput = Buffer.from(text, 'latin1')
  return Buffer.concat([macInput, Buffer.from(` ${encodeBase64(headerMac(fileKey, macInput))}\n`, 'latin1')])
}

/** Throws unless the header MAC matches the one computed with this file key. */
export function verifyHeaderMac(header: ParsedHeader, fileKey: Uint8Array): void {
  if (!timingSafeEqual(headerMac(fileKey, header.macInput), header.mac)) {
    throw new AgeError(
      'header MAC check failed: the age header was tampered with (or the file was crafted for a different key)'
    )
  }
}

function invalid(line: number, what: string): AgeError {
  return new AgeError(`age header is invalid: line ${line} ${what}`)
}

/** Printable ASCII only, shortened: safe to put in a one-line message. */
function sanitize(text: string, max = 40): string {
  const clean = text.replace(/[^\x20-\x7e]/g, '?')
  return clean.length > max ? `${clean.slice(0, max)}...` : clean
}

function notAnAgeFile(data: Buffer): AgeError {
  const start = data.subarray(0, 200).toString('latin1').trimStart()
  if (start.startsWith(ARMOR_BEGIN)) {
    return new AgeError(
      'this is an ASCII-armored age file (-----BEGIN AGE ENCRYPTED FILE-----), which is not supported; encrypt without -a/--armor'
    )
  }
  return new AgeError(`not an age file: it does not start with "${VERSION_LINE}"`)
}

/**
 * Incremental header parser: feed it the start of a file in pieces until it returns the header and
 * the bytes that follow it. Lines are parsed as they complete, so garbage fails fast.
 */
export class HeaderReader {
  #buffer: Buffer = Buffer.alloc(0)
  #length = 0
  /** Offset of the first byte of the next line to parse. */
  #lineStart = 0
  #lineNumber = 0
  #stanzas: Stanza[] = []
  #current: { type: string; args: string[]; body: Buffer[] } | undefined

  /** Returns the header once complete; `rest` is what followed it in the input (a view, not a copy). */
  push(chunk: Buffer): { header: ParsedHeader; rest: Buffer } | undefined {
    // Usually the whole header arrives in the first chunk: parse that in place without copying.
    const data = this.#length === 0 ? chunk : this.#append(chunk)
    const length = this.#length === 0 ? chunk.length : this.#length
    if (this.#lineNumber === 0) {
      const n = Math.min(length, VERSION_PREFIX.length)
      if (!data.subarray(0, n).equals(VERSION_PREFIX.subarray(0, n))) throw notAnAgeFile(data.subarray(0, length))
    }
    // Only lines that end within the first MAX_HEADER_BYTES are header lines; whatever is read past that without
    // the MAC line makes the header too large, even when the MAC line follows in the same chunk.
    const limit = Math.min(length, MAX_HEADER_BYTES)
    for (;;) {
      const end = data.indexOf(0x0a, this.#lineStart)
      if (end < 0 || end >= limit) break
      const start = this.#lineStart
      this.#lineStart = end + 1
      this.#lineNumber++
      const mac = this.#parseLine(data.toString('latin1', start, end))
      if (mac !== undefined) {
        const header: ParsedHeader = {
          stanzas: this.#stanzas,
          mac,
          macInput: Buffer.from(data.subarray(0, start + MAC_PREFIX.length))
        }
        return { header, rest: data.subarray(end + 1, length) }
      }
    }
    if (length > MAX_HEADER_BYTES)
      throw new AgeError('age header is invalid: it is larger than 1 MiB without an end (not an age file?)')
    if (this.#length === 0) this.#append(chunk)
    return undefined
  }

  /** The error for input that ended inside the header. */
  incompleteError(): AgeError {
    if (this.#length === 0) return new AgeError('not an age file: it is empty')
    return new AgeError('age header is incomplete: the file ends inside the header (file is truncated)')
  }

  #append(chunk: Buffer): Buffer {
    const needed = this.#length + chunk.length
    if (needed > this.#buffer.length) {
      const grown = Buffer.allocUnsafe(Math.max(needed, this.#buffer.length * 2, 4096))
      this.#buffer.copy(grown, 0, 0, this.#length)
      this.#buffer = grown
    }
    chunk.copy(this.#buffer, this.#length)
    this.#length = needed
    return this.#buffer
  }

  /** Parses one complete line (without its LF); returns the MAC when this was the MAC line. */
  #parseLine(line: string): Buffer | undefined {
    const n = this.#lineNumber
    if (line.endsWith('\r'))
      throw invalid(n, 'ends with CR: age headers use LF line endings (was the file converted to text?)')
    if (n === 1) {
      if (line !== VERSION_LINE)
        throw new AgeError(`unsupported age format version "${sanitize(line)}"; only ${VERSION_LINE} is supported`)
      return undefined
    }
    if (this.#current !== undefined) {
      this.#parseBodyLine(line, n)
      return undefined
    }
    if (line.startsWith(STANZA_PREFIX) || line === '->') {
      if (this.#stanzas.length === MAX_STANZAS)
        throw invalid(n, `starts recipient stanza ${MAX_STANZAS + 1}; at most ${MAX_STANZAS} are accepted`)
      const args = line.slice(STANZA_PREFIX.length).split(' ')
      if (line === '->' || args.some(a => !/^[\x21-\x7e]+$/.test(a))) {
        throw invalid(n, 'is a stanza with a missing, empty or non-printable argument')
      }
      this.#current = { type: args[0]!, args: args.slice(1), body: [] }
      return undefined
    }
    if (line.startsWith(MAC_PREFIX)) {
      const mac = line.startsWith(MAC_PREFIX + ' ')
        ? decodeCanonicalBase64(line.slice(MAC_PREFIX.length + 1))
        : undefined
      if (mac === undefined || mac.length !== MAC_LENGTH)
        throw invalid(n, 'is a malformed MAC line (expected "--- " and 43 base64 characters)')
      if (this.#stanzas.length === 0) throw invalid(n, 'ends a header that has no recipient stanzas')
      return mac
    }
    throw invalid(n, 'is neither a recipient stanza ("-> ...") nor the MAC line ("--- ...")')
  }

  #parseBodyLine(line: string, n: number): void {
    const current = this.#current!
    if (line.length > BODY_COLUMNS) throw invalid(n, `is a stanza body line longer than ${BODY_COLUMNS} columns`)
    const bytes = decodeCanonicalBase64(line)
    if (bytes === undefined)
      throw invalid(n, 'is a stanza body line that is not canonical unpadded base64 (or the stanza body is missing)')
    current.body.push(bytes)
    // A full-width line means the body continues; a shorter one (even empty) ends the stanza.
    if (line.length < BODY_COLUMNS) {
      this.#stanzas.push({ type: current.type, args: current.args, body: Buffer.concat(current.body) })
      this.#current = undefined
    }
  }
}
