/**
 * Bech32 (BIP 173, original checksum constant 1) as age uses it for recipients (`age1...`) and
 * identities (`AGE-SECRET-KEY-1...`). Unlike BIP 173, age lifts the 90-character length limit.
 */

const CHARSET = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l'
const GENERATOR = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3]
const CHECKSUM_LENGTH = 6

const CHARSET_INDEX = new Map<string, number>([...CHARSET].map((c, i) => [c, i]))

function polymod(values: readonly number[]): number {
  let chk = 1
  for (const v of values) {
    const top = chk >>> 25
    chk = (((chk & 0x1ffffff) << 5) ^ v) >>> 0
    for (let i = 0; i < 5; i++) {
      if ((top >>> i) & 1) chk = (chk ^ GENERATOR[i]!) >>> 0
    }
  }
  return chk
}

function expandHrp(hrp: string): number[] {
  const out: number[] = []
  for (let i = 0; i < hrp.length; i++) out.push(hrp.charCodeAt(i) >> 5)
  out.push(0)
  for (let i = 0; i < hrp.length; i++) out.push(hrp.charCodeAt(i) & 31)
  return out
}

/** Regroups bits; with `pad` false, leftover bits must be zero padding shorter than one input group. */
function convertBits(data: ArrayLike<number>, from: number, to: number, pad: boolean): number[] | undefined {
  let acc = 0
  let bits = 0
  const out: number[] = []
  const maxv = (1 << to) - 1
  for (let i = 0; i < data.length; i++) {
    acc = (acc << from) | data[i]!
    bits += from
    while (bits >= to) {
      bits -= to
      out.push((acc >> bits) & maxv)
    }
    acc &= (1 << bits) - 1
  }
  if (pad) {
    if (bits > 0) out.push((acc << (to - bits)) & maxv)
  } else if (bits >= from || ((acc << (to - bits)) & maxv) !== 0) {
    return undefined
  }
  return out
}

/** Encodes bytes under a human-readable part; the case of `hrp` is kept (age identities are upper case). */
export function encodeBech32(hrp: string, data: Uint8Array): string {
  const lowerHrp = hrp.toLowerCase()
  const words = convertBits(data, 8, 5, true)!
  const values = [...expandHrp(lowerHrp), ...words, 0, 0, 0, 0, 0, 0]
  const mod = polymod(values) ^ 1
  const checksum: number[] = []
  for (let i = 0; i < CHECKSUM_LENGTH; i++) checksum.push((mod >>> (5 * (5 - i))) & 31)
  const encoded = lowerHrp + '1' + [...words, ...checksum].map(w => CHARSET[w]).join('')
  return hrp === hrp.toUpperCase() && hrp !== lowerHrp ? encoded.toUpperCase() : encoded
}

export type Bech32Result = { ok: true; hrp: string; data: Buffer } | { ok: false; reason: string }

/** Decodes a Bech32 string; `hrp` is returned in lower case. Reasons are short and never echo the input. */
export function decodeBech32(text: string): Bech32Result {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c < 33 || c > 126) return { ok: false, reason: 'contains a character that is not printable ASCII' }
  }
  const lower = text.toLowerCase()
  if (lower !== text && text.toUpperCase() !== text) return { ok: false, reason: 'mixes upper and lower case' }
  const sep = lower.lastIndexOf('1')
  if (sep < 1) return { ok: false, reason: 'has no "1" separator after the prefix' }
  if (lower.length - sep - 1 < CHECKSUM_LENGTH) return { ok: false, reason: 'is too short' }
  const hrp = lower.slice(0, sep)
  const words: number[] = []
  for (const c of lower.slice(sep + 1)) {
    const w = CHARSET_INDEX.get(c)
    if (w === undefined) return { ok: false, reason: 'contains a character outside the Bech32 alphabet' }
    words.push(w)
  }
  if (polymod([...expandHrp(hrp), ...words]) !== 1) return { ok: false, reason: 'has a bad checksum (typo?)' }
  const data = convertBits(words.slice(0, -CHECKSUM_LENGTH), 5, 8, false)
  if (data === undefined) return { ok: false, reason: 'has invalid padding' }
  return { ok: true, hrp, data: Buffer.from(data) }
}
