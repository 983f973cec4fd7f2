#!/usr/bin/env node
import { createRequire as __WEBPACK_EXTERNAL_createRequire } from "module";
/******/ var __webpack_modules__ = ({

/***/ 4155:
/***/ ((module, __unused_webpack___webpack_exports__, __nccwpck_require__) => {

__nccwpck_require__.a(module, async (__webpack_handle_async_dependencies__, __webpack_async_result__) => { try {
/* harmony import */ var _cli_index_js__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(7284);

process.exitCode = await (0,_cli_index_js__WEBPACK_IMPORTED_MODULE_0__/* .run */ .e)(process.argv.slice(2));

__webpack_async_result__();
} catch(e) { __webpack_async_result__(e); } }, 1);

/***/ }),

/***/ 7284:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {


// EXPORTS
__nccwpck_require__.d(__webpack_exports__, {
  e: () => (/* binding */ run)
});

// UNUSED EXPORTS: describeReport

// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __nccwpck_require__(6760);
// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __nccwpck_require__(7598);
;// CONCATENATED MODULE: ./src/errors.ts
/**
 * Typed errors. Library modules throw these; only the entry points turn them into `core.setFailed`
 * (action) or an exit code (CLI). Every message is one line that says what is wrong and how to fix it,
 * and never contains a secret.
 */
/** The user's configuration is wrong (an input, a file they pointed at, a missing tool). */
class errors_ConfigurationError extends Error {
    name = 'ConfigurationError';
}
/** etcd could not be reached or refused what we asked of it. */
class errors_EtcdError extends Error {
    name = 'EtcdError';
}
/** The snapshot (or a backup file) is not sound; nothing built from it may be trusted. */
class errors_VerificationError extends Error {
    name = 'VerificationError';
}
/** An age file or key could not be parsed, or decryption failed (wrong key, tampered data). */
class errors_AgeError extends Error {
    name = 'AgeError';
}
/** The artifact service refused or failed the upload/download. */
class ArtifactError extends (/* unused pure expression or super */ null && (Error)) {
    name = 'ArtifactError';
}
/** A message for anything thrown, including non-Error values. */
function errors_errorMessage(e) {
    if (e instanceof Error)
        return e.message;
    if (typeof e === 'string')
        return e;
    // An Error from another realm (a vm context, a worker) fails instanceof but still has its message.
    const message = e?.message;
    if (typeof message === 'string')
        return message;
    try {
        return JSON.stringify(e) ?? String(e);
    }
    catch {
        return String(e);
    }
}
/** The backup file could not be written (disk full, permissions, a file in the way). */
class errors_OutputError extends Error {
    name = 'OutputError';
}
/** A backup's manifest.json cannot be read; the message completes "manifest.json ...". */
class ManifestError extends Error {
    name = 'ManifestError';
}

;// CONCATENATED MODULE: ./src/age/primitives.ts
/** The small cryptographic and encoding building blocks shared by the age header and its stanzas. */

const primitives_FILE_KEY_LENGTH = 16;
const TAG_LENGTH = 16;
/** A wrapped file key: the 16-byte key sealed with ChaCha20-Poly1305. */
const WRAPPED_FILE_KEY_LENGTH = primitives_FILE_KEY_LENGTH + TAG_LENGTH;
// Stanza bodies use a fresh wrap key per file, so the all-zero nonce is safe (age spec).
const ZERO_NONCE = Buffer.alloc(12);
function hkdfSha256(ikm, salt, info, length = 32) {
    return Buffer.from((0,external_node_crypto_.hkdfSync)('sha256', ikm, salt, info, length));
}
/** Seals the file key under a wrap key, giving a stanza body. */
function primitives_wrapFileKey(wrapKey, fileKey) {
    const cipher = (0,external_node_crypto_.createCipheriv)('chacha20-poly1305', wrapKey, ZERO_NONCE, { authTagLength: TAG_LENGTH });
    const sealed = cipher.update(fileKey);
    cipher.final();
    return Buffer.concat([sealed, cipher.getAuthTag()]);
}
/** Opens a stanza body; `undefined` when it does not authenticate (a different key wrapped it). */
function unwrapFileKey(wrapKey, body) {
    if (body.length !== WRAPPED_FILE_KEY_LENGTH)
        return undefined;
    const decipher = (0,external_node_crypto_.createDecipheriv)('chacha20-poly1305', wrapKey, ZERO_NONCE, { authTagLength: TAG_LENGTH });
    decipher.setAuthTag(body.subarray(primitives_FILE_KEY_LENGTH));
    const fileKey = decipher.update(body.subarray(0, primitives_FILE_KEY_LENGTH));
    try {
        decipher.final();
    }
    catch {
        return undefined;
    }
    return fileKey;
}
/** Standard base64 without padding, as every base64 string in an age header is written. */
function primitives_encodeBase64(data) {
    return Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('base64').replace(/=+$/, '');
}
const BASE64_UNPADDED = /^[A-Za-z0-9+/]*$/;
/**
 * Decodes unpadded standard base64, accepting only the canonical encoding (no padding, no stray
 * bits in the last character), as the spec requires: Node's own decoder is lenient.
 */
function decodeCanonicalBase64(text) {
    if (!BASE64_UNPADDED.test(text) || text.length % 4 === 1)
        return undefined;
    const data = Buffer.from(text, 'base64');
    return primitives_encodeBase64(data) === text ? data : undefined;
}

;// CONCATENATED MODULE: ./src/age/header.ts
/**
 * The age v1 header: the version line, recipient stanzas and the MAC line. Parsing is strict, as the
 * spec requires (canonical base64, 64-column body lines ending in a short line, no CR, single spaces).
 */



const VERSION_LINE = 'age-encryption.org/v1';
const VERSION_PREFIX = Buffer.from('age-encryption.org/');
const ARMOR_BEGIN = '-----BEGIN AGE ENCRYPTED FILE-----';
const STANZA_PREFIX = '-> ';
const MAC_PREFIX = '---';
const BODY_COLUMNS = 64;
const MAC_LENGTH = 32;
/** Far above any real header (an X25519 stanza is ~110 bytes); bounds memory on garbage input. */
const MAX_HEADER_BYTES = 1 << 20;
/**
 * Far above any real recipient list, and what the encryptor allows too. Without it a 1 MiB header of tiny stanzas
 * holds ~175,000 of them, each one parsed, kept and tried.
 */
const header_MAX_STANZAS = 1024;
function headerMac(fileKey, macInput) {
    const macKey = hkdfSha256(fileKey, Buffer.alloc(0), 'header');
    return (0,external_node_crypto_.createHmac)('sha256', macKey).update(macInput).digest();
}
/** Encodes a complete header, MAC line included. */
function header_encodeHeader(stanzas, fileKey) {
    let text = VERSION_LINE + '\n';
    for (const stanza of stanzas) {
        text += STANZA_PREFIX + [stanza.type, ...stanza.args].join(' ') + '\n';
        const body = encodeBase64(stanza.body);
        let i = 0;
        for (; i + BODY_COLUMNS <= body.length; i += BODY_COLUMNS)
            text += body.slice(i, i + BODY_COLUMNS) + '\n';
        // The body always ends with a line shorter than 64 columns, possibly empty.
        text += body.slice(i) + '\n';
    }
    text += MAC_PREFIX;
    const macInput = Buffer.from(text, 'latin1');
    return Buffer.concat([macInput, Buffer.from(` ${encodeBase64(headerMac(fileKey, macInput))}\n`, 'latin1')]);
}
/** Throws unless the header MAC matches the one computed with this file key. */
function verifyHeaderMac(header, fileKey) {
    if (!(0,external_node_crypto_.timingSafeEqual)(headerMac(fileKey, header.macInput), header.mac)) {
        throw new errors_AgeError('header MAC check failed: the age header was tampered with (or the file was crafted for a different key)');
    }
}
function invalid(line, what) {
    return new errors_AgeError(`age header is invalid: line ${line} ${what}`);
}
/** Printable ASCII only, shortened: safe to put in a one-line message. */
function sanitize(text, max = 40) {
    const clean = text.replace(/[^\x20-\x7e]/g, '?');
    return clean.length > max ? `${clean.slice(0, max)}...` : clean;
}
function notAnAgeFile(data) {
    const start = data.subarray(0, 200).toString('latin1').trimStart();
    if (start.startsWith(ARMOR_BEGIN)) {
        return new errors_AgeError('this is an ASCII-armored age file (-----BEGIN AGE ENCRYPTED FILE-----), which is not supported; encrypt without -a/--armor');
    }
    return new errors_AgeError(`not an age file: it does not start with "${VERSION_LINE}"`);
}
/**
 * Incremental header parser: feed it the start of a file in pieces until it returns the header and
 * the bytes that follow it. Lines are parsed as they complete, so garbage fails fast.
 */
class HeaderReader {
    #buffer = Buffer.alloc(0);
    #length = 0;
    /** Offset of the first byte of the next line to parse. */
    #lineStart = 0;
    #lineNumber = 0;
    #stanzas = [];
    #current;
    /** Returns the header once complete; `rest` is what followed it in the input (a view, not a copy). */
    push(chunk) {
        // Usually the whole header arrives in the first chunk: parse that in place without copying.
        const data = this.#length === 0 ? chunk : this.#append(chunk);
        const length = this.#length === 0 ? chunk.length : this.#length;
        if (this.#lineNumber === 0) {
            const n = Math.min(length, VERSION_PREFIX.length);
            if (!data.subarray(0, n).equals(VERSION_PREFIX.subarray(0, n)))
                throw notAnAgeFile(data.subarray(0, length));
        }
        // Only lines that end within the first MAX_HEADER_BYTES are header lines; whatever is read past that without
        // the MAC line makes the header too large, even when the MAC line follows in the same chunk.
        const limit = Math.min(length, MAX_HEADER_BYTES);
        for (;;) {
            const end = data.indexOf(0x0a, this.#lineStart);
            if (end < 0 || end >= limit)
                break;
            const start = this.#lineStart;
            this.#lineStart = end + 1;
            this.#lineNumber++;
            const mac = this.#parseLine(data.toString('latin1', start, end));
            if (mac !== undefined) {
                const header = {
                    stanzas: this.#stanzas,
                    mac,
                    macInput: Buffer.from(data.subarray(0, start + MAC_PREFIX.length))
                };
                return { header, rest: data.subarray(end + 1, length) };
            }
        }
        if (length > MAX_HEADER_BYTES)
            throw new errors_AgeError('age header is invalid: it is larger than 1 MiB without an end (not an age file?)');
        if (this.#length === 0)
            this.#append(chunk);
        return undefined;
    }
    /** The error for input that ended inside the header. */
    incompleteError() {
        if (this.#length === 0)
            return new errors_AgeError('not an age file: it is empty');
        return new errors_AgeError('age header is incomplete: the file ends inside the header (file is truncated)');
    }
    #append(chunk) {
        const needed = this.#length + chunk.length;
        if (needed > this.#buffer.length) {
            const grown = Buffer.allocUnsafe(Math.max(needed, this.#buffer.length * 2, 4096));
            this.#buffer.copy(grown, 0, 0, this.#length);
            this.#buffer = grown;
        }
        chunk.copy(this.#buffer, this.#length);
        this.#length = needed;
        return this.#buffer;
    }
    /** Parses one complete line (without its LF); returns the MAC when this was the MAC line. */
    #parseLine(line) {
        const n = this.#lineNumber;
        if (line.endsWith('\r'))
            throw invalid(n, 'ends with CR: age headers use LF line endings (was the file converted to text?)');
        if (n === 1) {
            if (line !== VERSION_LINE)
                throw new errors_AgeError(`unsupported age format version "${sanitize(line)}"; only ${VERSION_LINE} is supported`);
            return undefined;
        }
        if (this.#current !== undefined) {
            this.#parseBodyLine(line, n);
            return undefined;
        }
        if (line.startsWith(STANZA_PREFIX) || line === '->') {
            if (this.#stanzas.length === header_MAX_STANZAS)
                throw invalid(n, `starts recipient stanza ${header_MAX_STANZAS + 1}; at most ${header_MAX_STANZAS} are accepted`);
            const args = line.slice(STANZA_PREFIX.length).split(' ');
            if (line === '->' || args.some(a => !/^[\x21-\x7e]+$/.test(a))) {
                throw invalid(n, 'is a stanza with a missing, empty or non-printable argument');
            }
            this.#current = { type: args[0], args: args.slice(1), body: [] };
            return undefined;
        }
        if (line.startsWith(MAC_PREFIX)) {
            const mac = line.startsWith(MAC_PREFIX + ' ')
                ? decodeCanonicalBase64(line.slice(MAC_PREFIX.length + 1))
                : undefined;
            if (mac === undefined || mac.length !== MAC_LENGTH)
                throw invalid(n, 'is a malformed MAC line (expected "--- " and 43 base64 characters)');
            if (this.#stanzas.length === 0)
                throw invalid(n, 'ends a header that has no recipient stanzas');
            return mac;
        }
        throw invalid(n, 'is neither a recipient stanza ("-> ...") nor the MAC line ("--- ...")');
    }
    #parseBodyLine(line, n) {
        const current = this.#current;
        if (line.length > BODY_COLUMNS)
            throw invalid(n, `is a stanza body line longer than ${BODY_COLUMNS} columns`);
        const bytes = decodeCanonicalBase64(line);
        if (bytes === undefined)
            throw invalid(n, 'is a stanza body line that is not canonical unpadded base64 (or the stanza body is missing)');
        current.body.push(bytes);
        // A full-width line means the body continues; a shorter one (even empty) ends the stanza.
        if (line.length < BODY_COLUMNS) {
            this.#stanzas.push({ type: current.type, args: current.args, body: Buffer.concat(current.body) });
            this.#current = undefined;
        }
    }
}

;// CONCATENATED MODULE: ./src/age/bech32.ts
/**
 * Bech32 (BIP 173, original checksum constant 1) as age uses it for recipients (`age1...`) and
 * identities (`AGE-SECRET-KEY-1...`). Unlike BIP 173, age lifts the 90-character length limit.
 */
const CHARSET = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';
const GENERATOR = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];
const CHECKSUM_LENGTH = 6;
const CHARSET_INDEX = new Map([...CHARSET].map((c, i) => [c, i]));
function polymod(values) {
    let chk = 1;
    for (const v of values) {
        const top = chk >>> 25;
        chk = (((chk & 0x1ffffff) << 5) ^ v) >>> 0;
        for (let i = 0; i < 5; i++) {
            if ((top >>> i) & 1)
                chk = (chk ^ GENERATOR[i]) >>> 0;
        }
    }
    return chk;
}
function expandHrp(hrp) {
    const out = [];
    for (let i = 0; i < hrp.length; i++)
        out.push(hrp.charCodeAt(i) >> 5);
    out.push(0);
    for (let i = 0; i < hrp.length; i++)
        out.push(hrp.charCodeAt(i) & 31);
    return out;
}
/** Regroups bits; with `pad` false, leftover bits must be zero padding shorter than one input group. */
function convertBits(data, from, to, pad) {
    let acc = 0;
    let bits = 0;
    const out = [];
    const maxv = (1 << to) - 1;
    for (let i = 0; i < data.length; i++) {
        acc = (acc << from) | data[i];
        bits += from;
        while (bits >= to) {
            bits -= to;
            out.push((acc >> bits) & maxv);
        }
        acc &= (1 << bits) - 1;
    }
    if (pad) {
        if (bits > 0)
            out.push((acc << (to - bits)) & maxv);
    }
    else if (bits >= from || ((acc << (to - bits)) & maxv) !== 0) {
        return undefined;
    }
    return out;
}
/** Encodes bytes under a human-readable part; the case of `hrp` is kept (age identities are upper case). */
function encodeBech32(hrp, data) {
    const lowerHrp = hrp.toLowerCase();
    const words = convertBits(data, 8, 5, true);
    const values = [...expandHrp(lowerHrp), ...words, 0, 0, 0, 0, 0, 0];
    const mod = polymod(values) ^ 1;
    const checksum = [];
    for (let i = 0; i < CHECKSUM_LENGTH; i++)
        checksum.push((mod >>> (5 * (5 - i))) & 31);
    const encoded = lowerHrp + '1' + [...words, ...checksum].map(w => CHARSET[w]).join('');
    return hrp === hrp.toUpperCase() && hrp !== lowerHrp ? encoded.toUpperCase() : encoded;
}
/** Decodes a Bech32 string; `hrp` is returned in lower case. Reasons are short and never echo the input. */
function bech32_decodeBech32(text) {
    for (let i = 0; i < text.length; i++) {
        const c = text.charCodeAt(i);
        if (c < 33 || c > 126)
            return { ok: false, reason: 'contains a character that is not printable ASCII' };
    }
    const lower = text.toLowerCase();
    if (lower !== text && text.toUpperCase() !== text)
        return { ok: false, reason: 'mixes upper and lower case' };
    const sep = lower.lastIndexOf('1');
    if (sep < 1)
        return { ok: false, reason: 'has no "1" separator after the prefix' };
    if (lower.length - sep - 1 < CHECKSUM_LENGTH)
        return { ok: false, reason: 'is too short' };
    const hrp = lower.slice(0, sep);
    const words = [];
    for (const c of lower.slice(sep + 1)) {
        const w = CHARSET_INDEX.get(c);
        if (w === undefined)
            return { ok: false, reason: 'contains a character outside the Bech32 alphabet' };
        words.push(w);
    }
    if (polymod([...expandHrp(hrp), ...words]) !== 1)
        return { ok: false, reason: 'has a bad checksum (typo?)' };
    const data = convertBits(words.slice(0, -CHECKSUM_LENGTH), 5, 8, false);
    if (data === undefined)
        return { ok: false, reason: 'has invalid padding' };
    return { ok: true, hrp, data: Buffer.from(data) };
}

;// CONCATENATED MODULE: ./src/age/scrypt.ts
/** The `scrypt` stanza: a file key wrapped under a passphrase. */



const SCRYPT_STANZA_TYPE = 'scrypt';
const SALT_LABEL = 'age-encryption.org/v1/scrypt';
const SALT_LENGTH = 16;
const BLOCK_SIZE = 8;
/** age's default: about a second on a laptop. */
const scrypt_DEFAULT_WORK_FACTOR = 18;
/**
 * The ceiling when decrypting, unless raised. age's own is 22 (4 GiB and about a minute on a runner, spent before the
 * passphrase is known to be right); 20 (1 GiB) is four times the work of what this action, age, typage and rage on
 * most machines write, and a file above it is more likely crafted than real.
 */
const DEFAULT_MAX_WORK_FACTOR = 20;
/** What raises the ceiling, for the message that names it. */
const RAISE_LIMIT = "raise the limit with etcd-snapshot's --max-work-factor or the restore action's max-work-factor input";
/** Beyond this scrypt needs more than 1 TiB; no sane file uses it, and age's own limit is the same. */
const HARD_MAX_WORK_FACTOR = 30;
/** What scrypt needs at a work factor (128 * N * r bytes), said as a person reads it. */
function memoryFor(workFactor) {
    const bytes = 128 * BLOCK_SIZE * 2 ** workFactor;
    return bytes >= 2 ** 30 ? `${bytes / 2 ** 30} GiB` : `${bytes / 2 ** 20} MiB`;
}
function deriveWrapKey(passphrase, salt, workFactor) {
    const N = 2 ** workFactor;
    // scrypt needs 128 * N * r bytes; Node's default cap (32 MiB) is far below age's work factors.
    const maxmem = 128 * N * BLOCK_SIZE + (32 << 20);
    return new Promise((resolve, reject) => {
        (0,external_node_crypto_.scrypt)(Buffer.from(passphrase, 'utf8'), Buffer.concat([Buffer.from(SALT_LABEL), salt]), 32, { N, r: BLOCK_SIZE, p: 1, maxmem }, (err, key) => {
            if (err)
                reject(new errors_AgeError(`scrypt key derivation failed (work factor ${workFactor}): ${err.message}`));
            else
                resolve(key);
        });
    });
}
/** Throws unless `workFactor` is an integer age can use. */
function scrypt_checkWorkFactor(workFactor, name) {
    if (!Number.isInteger(workFactor) || workFactor < 1 || workFactor > HARD_MAX_WORK_FACTOR) {
        throw new errors_AgeError(`${name} must be an integer from 1 to ${HARD_MAX_WORK_FACTOR} (age uses ${scrypt_DEFAULT_WORK_FACTOR}), got ${String(workFactor)}`);
    }
}
async function scrypt_wrapWithPassphrase(fileKey, passphrase, workFactor) {
    const salt = randomBytes(SALT_LENGTH);
    const wrapKey = await deriveWrapKey(passphrase, salt, workFactor);
    return {
        type: SCRYPT_STANZA_TYPE,
        args: [encodeBase64(salt), String(workFactor)],
        body: wrapFileKey(wrapKey, fileKey)
    };
}
/** Checks an `scrypt` stanza's shape: a canonical 16-byte salt, a decimal work factor, a 32-byte body. */
function parseScryptStanza(stanza, maxWorkFactor) {
    const fail = (what) => {
        throw new errors_AgeError(`age header is invalid: the scrypt stanza ${what}`);
    };
    if (stanza.args.length !== 2)
        fail(`has ${stanza.args.length} arguments, expected 2 (salt and work factor)`);
    const [saltText, factorText] = stanza.args;
    const salt = decodeCanonicalBase64(saltText);
    if (salt === undefined || salt.length !== SALT_LENGTH)
        fail(`salt is not ${SALT_LENGTH} bytes of canonical base64`);
    // Decimal without sign or leading zero (so no octal or hex surprises).
    if (!/^[1-9][0-9]*$/.test(factorText))
        fail('work factor is not a positive decimal integer without leading zeros');
    const workFactor = factorText.length > 3 ? Infinity : Number(factorText);
    if (workFactor > maxWorkFactor) {
        const shown = factorText.length > 12 ? `${factorText.slice(0, 12)}...` : factorText;
        const cost = workFactor > HARD_MAX_WORK_FACTOR ? 'more memory than any machine has' : `${memoryFor(workFactor)} of memory`;
        throw new errors_AgeError(`the file's scrypt work factor ${shown} exceeds the limit of ${maxWorkFactor} (it would take ${cost}); only if you trust this file, ${RAISE_LIMIT}`);
    }
    if (stanza.body.length !== WRAPPED_FILE_KEY_LENGTH)
        fail(`body is ${stanza.body.length} bytes, expected ${WRAPPED_FILE_KEY_LENGTH}`);
    return { salt: salt, workFactor, body: stanza.body };
}
/** The file key, or `undefined` if the passphrase (or work factor) is wrong. */
async function unwrapWithPassphrase(stanza, passphrase) {
    const wrapKey = await deriveWrapKey(passphrase, stanza.salt, stanza.workFactor);
    return unwrapFileKey(wrapKey, stanza.body);
}
/** The spec requires an scrypt stanza to be alone, so a passphrase-encrypted file is known to come from someone holding the passphrase. */
function checkScryptIsAlone(stanzas) {
    if (stanzas.length > 1 && stanzas.some(s => s.type === SCRYPT_STANZA_TYPE)) {
        throw new errors_AgeError('age header is invalid: an scrypt (passphrase) stanza must be the only recipient stanza');
    }
}
/** Finds the file key with a passphrase; throws AgeError if the file has no scrypt stanza or the passphrase is wrong. */
async function findFileKeyWithPassphrase(stanzas, passphrase, maxWorkFactor) {
    checkScryptIsAlone(stanzas);
    const stanza = stanzas.find(s => s.type === SCRYPT_STANZA_TYPE);
    if (stanza === undefined) {
        throw new errors_AgeError('wrong passphrase or file is not passphrase-encrypted: it was encrypted to public keys, decrypt it with an identity');
    }
    const fileKey = await unwrapWithPassphrase(parseScryptStanza(stanza, maxWorkFactor), passphrase);
    if (fileKey === undefined)
        throw new errors_AgeError('wrong passphrase or file is not passphrase-encrypted');
    return fileKey;
}

;// CONCATENATED MODULE: ./src/age/keys.ts
/**
 * X25519 recipients (`age1...`) and identities (`AGE-SECRET-KEY-1...`), and the X25519 stanza that
 * wraps a file key for them. The curve work is node:crypto's; raw 32-byte keys are wrapped in the
 * fixed DER prefixes of RFC 8410 so OpenSSL can import them.
 */






const RECIPIENT_HRP = 'age';
const IDENTITY_HRP = 'age-secret-key-';
const KEY_LENGTH = 32;
const RECIPIENT_LENGTH = 62;
const X25519_STANZA_TYPE = 'X25519';
const X25519_INFO = 'age-encryption.org/v1/X25519';
// RFC 8410 DER headers for X25519 (OID 1.3.101.110) SubjectPublicKeyInfo and PKCS#8 private keys.
const SPKI_PREFIX = Buffer.from('302a300506032b656e032100', 'hex');
const PKCS8_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex');
function importPublicKey(raw) {
    return (0,external_node_crypto_.createPublicKey)({ key: Buffer.concat([SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
}
function rawPublicKey(key) {
    return key.export({ format: 'der', type: 'spki' }).subarray(SPKI_PREFIX.length);
}
/** A public key files are encrypted to. */
class keys_X25519Recipient {
    #publicKey;
    #keyObject;
    constructor(publicKey) {
        if (publicKey.length !== KEY_LENGTH)
            throw new errors_AgeError(`an X25519 public key is ${KEY_LENGTH} bytes, not ${publicKey.length}`);
        this.#publicKey = Buffer.from(publicKey);
        this.#keyObject = importPublicKey(this.#publicKey);
    }
    /** The `age1...` encoding. */
    toString() {
        return encodeBech32(RECIPIENT_HRP, this.#publicKey);
    }
    toJSON() {
        return this.toString();
    }
    /** Wraps the file key in an `X25519` stanza for this recipient, with a fresh ephemeral key. */
    wrap(fileKey) {
        const ephemeral = (0,external_node_crypto_.generateKeyPairSync)('x25519');
        const share = rawPublicKey(ephemeral.publicKey);
        const secret = sharedSecret(ephemeral.privateKey, this.#keyObject);
        if (secret === undefined) {
            throw new errors_AgeError(`recipient ${this.toString()} is a low-order X25519 point; it cannot receive files, use a real age1... recipient`);
        }
        const wrapKey = hkdfSha256(secret, Buffer.concat([share, this.#publicKey]), X25519_INFO);
        return { type: X25519_STANZA_TYPE, args: [primitives_encodeBase64(share)], body: primitives_wrapFileKey(wrapKey, fileKey) };
    }
}
/** A secret key that can decrypt files encrypted to its recipient. The secret never leaves node:crypto's KeyObject. */
class X25519Identity {
    #privateKey;
    #recipient;
    #publicKey;
    constructor(secretKey) {
        if (secretKey.length !== KEY_LENGTH)
            throw new errors_AgeError(`an X25519 secret key is ${KEY_LENGTH} bytes, not ${secretKey.length}`);
        this.#privateKey = (0,external_node_crypto_.createPrivateKey)({ key: Buffer.concat([PKCS8_PREFIX, secretKey]), format: 'der', type: 'pkcs8' });
        this.#publicKey = rawPublicKey((0,external_node_crypto_.createPublicKey)(this.#privateKey));
        this.#recipient = new keys_X25519Recipient(this.#publicKey);
    }
    get recipient() {
        return this.#recipient;
    }
    // Never print or serialise the secret.
    toString() {
        return `[age identity for ${this.#recipient.toString()}]`;
    }
    toJSON() {
        return this.toString();
    }
    /**
     * Tries to unwrap the file key from a validated X25519 stanza: `undefined` if the stanza was made
     * for someone else. Throws AgeError for a low-order share, which the spec says must abort.
     */
    unwrap(stanza) {
        const secret = sharedSecret(this.#privateKey, importPublicKey(stanza.share));
        if (secret === undefined)
            throw new errors_AgeError('age header is invalid: an X25519 stanza has a low-order share (the file was crafted to be undecryptable)');
        const wrapKey = hkdfSha256(secret, Buffer.concat([stanza.share, this.#publicKey]), X25519_INFO);
        return unwrapFileKey(wrapKey, stanza.body);
    }
}
/** The X25519 shared secret, or `undefined` for the all-zero result of a low-order point. */
function sharedSecret(privateKey, publicKey) {
    let secret;
    try {
        secret = (0,external_node_crypto_.diffieHellman)({ privateKey, publicKey });
    }
    catch {
        // OpenSSL refuses to return the all-zero secret.
        return undefined;
    }
    return secret.every(b => b === 0) ? undefined : secret;
}
/** Checks an `X25519` stanza's shape (one canonical 32-byte share, a 32-byte body). */
function parseX25519Stanza(stanza, position) {
    const fail = (what) => {
        throw new errors_AgeError(`age header is invalid: X25519 stanza ${position} ${what}`);
    };
    if (stanza.args.length !== 1)
        fail(`has ${stanza.args.length} arguments, expected 1`);
    const share = decodeCanonicalBase64(stanza.args[0]);
    if (share === undefined)
        fail('has a share that is not canonical base64');
    if (share.length !== KEY_LENGTH)
        fail(`has a ${share.length}-byte share, expected ${KEY_LENGTH}`);
    if (stanza.body.length !== WRAPPED_FILE_KEY_LENGTH)
        fail(`has a ${stanza.body.length}-byte body, expected ${WRAPPED_FILE_KEY_LENGTH}`);
    return { share: share, body: stanza.body };
}
function shortPrefix(text) {
    const printable = text.replace(/[^\x21-\x7e]/g, '?');
    return printable.length > 12 ? `${printable.slice(0, 12)}...` : printable;
}
/**
 * Parses X25519 recipients (`age1...`). Messages name the 1-based position and show at most a short
 * prefix of the entry, and never any part of a secret key pasted by mistake.
 */
function parseRecipients(list) {
    keys_checkRecipientCount(list.length);
    return list.map((entry, i) => parseRecipient(entry, i + 1));
}
/** A file for more recipients than a header may hold would be refused when decrypted: never write one. */
function keys_checkRecipientCount(count) {
    if (count > MAX_STANZAS)
        throw new AgeError(`${count} recipients are more than the ${MAX_STANZAS} an age file may have; use fewer recipients`);
}
function parseRecipient(entry, position) {
    const text = entry.trim();
    const where = `recipient ${position}`;
    if (text === '')
        throw new AgeError(`${where} is empty; expected an age recipient (age1..., ${RECIPIENT_LENGTH} chars)`);
    if (/^AGE-/i.test(text)) {
        throw new AgeError(`${where} is an age identity (secret key), not a recipient: pass its public key from \`age-keygen -y\``);
    }
    const ssh = /^(ssh-ed25519|ssh-rsa|ecdsa-sha2-\S+|sk-\S+)\s/.exec(text);
    if (ssh) {
        throw new AgeError(`${where} is an SSH public key (${ssh[1]}); SSH recipients are not supported, use an age X25519 recipient (age1...) from age-keygen`);
    }
    const decoded = decodeBech32(text);
    if (decoded.ok && decoded.hrp !== RECIPIENT_HRP && decoded.hrp.startsWith('age1')) {
        throw new AgeError(`${where} (${decoded.hrp}1...) is a plugin or post-quantum recipient, which is not supported; use an X25519 recipient (age1..., ${RECIPIENT_LENGTH} chars) from age-keygen`);
    }
    let problem;
    if (!decoded.ok)
        problem = decoded.reason;
    else if (decoded.hrp !== RECIPIENT_HRP)
        problem = 'does not start with age1';
    else if (decoded.data.length !== KEY_LENGTH)
        problem = `holds ${decoded.data.length} bytes instead of ${KEY_LENGTH}`;
    if (problem !== undefined || !decoded.ok) {
        throw new AgeError(`${where} is not a valid age recipient (expected age1..., ${RECIPIENT_LENGTH} chars): ${shortPrefix(text)} ${problem}`);
    }
    return new keys_X25519Recipient(decoded.data);
}
/**
 * Parses the text of an age identity file: one `AGE-SECRET-KEY-1...` per line, `#` comments and
 * blank lines allowed. Messages give line numbers and never echo a line.
 */
function parseIdentities(text) {
    const identities = [];
    const lines = text.split('\n');
    for (let i = 0; i < lines.length; i++) {
        const line = lines[i].trim();
        if (line === '' || line.startsWith('#'))
            continue;
        identities.push(parseIdentityLine(line, i + 1));
    }
    if (identities.length === 0) {
        throw new errors_AgeError('identity file contains no identities: expected lines starting with AGE-SECRET-KEY-1 (as written by age-keygen)');
    }
    return identities;
}
function parseIdentityLine(line, lineNumber) {
    const where = `identity file line ${lineNumber}`;
    if (/^AGE-SECRET-KEY-PQ-1/i.test(line)) {
        throw new errors_AgeError(`${where} is a post-quantum (ML-KEM hybrid) identity, which is not supported; use an X25519 identity from age-keygen`);
    }
    if (/^AGE-PLUGIN-/i.test(line)) {
        throw new errors_AgeError(`${where} is a plugin identity, which is not supported; use an X25519 identity from age-keygen`);
    }
    if (/^age1/i.test(line)) {
        throw new errors_AgeError(`${where} is a recipient (public key), not an identity; pass the secret key file written by age-keygen`);
    }
    if (/^-----BEGIN /.test(line) || /^ssh-/.test(line)) {
        throw new errors_AgeError(`${where} is an SSH key; SSH identities are not supported, use an X25519 identity from age-keygen`);
    }
    if (!/^AGE-SECRET-KEY-1/i.test(line)) {
        throw new errors_AgeError(`${where} is not an age identity: expected AGE-SECRET-KEY-1... (as written by age-keygen)`);
    }
    const decoded = bech32_decodeBech32(line);
    if (!decoded.ok)
        throw new errors_AgeError(`${where} is not a valid age identity: it ${decoded.reason}`);
    if (decoded.hrp !== IDENTITY_HRP || decoded.data.length !== KEY_LENGTH) {
        throw new errors_AgeError(`${where} is not a valid age identity: it holds ${decoded.data.length} bytes instead of ${KEY_LENGTH}`);
    }
    const identity = new X25519Identity(decoded.data);
    decoded.data.fill(0);
    return identity;
}
/** The `age1...` recipient string of an identity (what `age-keygen -y` prints). */
function identityToRecipient(identity) {
    return identity.recipient.toString();
}
/** Finds the file key with X25519 identities; throws AgeError if none matches or a stanza is malformed. */
function findFileKeyWithIdentities(stanzas, identities) {
    checkScryptIsAlone(stanzas);
    if (stanzas.some(s => s.type === SCRYPT_STANZA_TYPE)) {
        throw new errors_AgeError('no identity matches this file: it is passphrase-encrypted, decrypt it with the passphrase');
    }
    // Validate every X25519 stanza first so a malformed one is reported whatever the stanza order.
    const candidates = stanzas.flatMap((s, i) => (s.type === X25519_STANZA_TYPE ? [parseX25519Stanza(s, i + 1)] : []));
    for (const stanza of candidates) {
        for (const identity of identities) {
            const fileKey = identity.unwrap(stanza);
            if (fileKey !== undefined)
                return fileKey;
        }
    }
    throw new errors_AgeError('no identity matches this file (wrong key?)');
}

// EXTERNAL MODULE: external "node:stream"
var external_node_stream_ = __nccwpck_require__(7075);
;// CONCATENATED MODULE: ./src/age/stream.ts
/**
 * The age payload: a 16-byte nonce, then STREAM — ChaCha20-Poly1305 over 64 KiB chunks with nonce
 * = 11-byte big-endian chunk counter || last-chunk flag, under a key derived from the file key.
 *
 * Both transforms hold back at most one chunk (the final chunk is sealed differently, so a chunk can
 * only be processed once it is known whether more data follows). Whole chunks inside a large input
 * buffer are processed in place; only the tail of each input buffer is copied into an owned buffer,
 * because callers may reuse a buffer once its write has completed.
 */





const PLAINTEXT_CHUNK_SIZE = 64 * 1024;
const stream_TAG_LENGTH = 16;
const CIPHERTEXT_CHUNK_SIZE = PLAINTEXT_CHUNK_SIZE + stream_TAG_LENGTH;
const PAYLOAD_NONCE_LENGTH = 16;
/** How many appended bytes the decryptor looks for when the final chunk fails, to name the problem. */
const MAX_TRAILING_BYTES_PROBED = 64;
function asError(e) {
    return e instanceof Error ? e : new errors_AgeError(errors_errorMessage(e));
}
/** ChaCha20-Poly1305 for one chunk at a time under the payload key. */
class ChunkCipher {
    #key;
    #nonce = Buffer.alloc(12);
    constructor(fileKey, payloadNonce) {
        this.#key = hkdfSha256(fileKey, payloadNonce, 'payload');
    }
    #setNonce(counter, final) {
        // Bytes 0-4 of the 11-byte counter stay zero: 2^48 chunks is 16 EiB.
        this.#nonce.writeUIntBE(counter, 5, 6);
        this.#nonce[11] = final ? 1 : 0;
        return this.#nonce;
    }
    /**
     * The ciphertext chunk as two buffers, the encrypted data and its tag, which follow each other in the file. Joining
     * them would cost a fresh 64 KiB buffer and a copy per chunk: a quarter of encryption's time (bench-age.ts).
     */
    seal(plaintext, counter, final) {
        const cipher = (0,external_node_crypto_.createCipheriv)('chacha20-poly1305', this.#key, this.#setNonce(counter, final), {
            authTagLength: stream_TAG_LENGTH
        });
        const sealed = cipher.update(plaintext);
        cipher.final();
        return [sealed, cipher.getAuthTag()];
    }
    /** The plaintext, or `undefined` when the chunk does not authenticate with this counter and flag. */
    open(ciphertext, counter, final) {
        const decipher = (0,external_node_crypto_.createDecipheriv)('chacha20-poly1305', this.#key, this.#setNonce(counter, final), {
            authTagLength: stream_TAG_LENGTH
        });
        const split = ciphertext.length - stream_TAG_LENGTH;
        decipher.setAuthTag(ciphertext.subarray(split));
        const plaintext = decipher.update(ciphertext.subarray(0, split));
        try {
            decipher.final();
        }
        catch {
            return undefined;
        }
        return plaintext;
    }
}
/** Plaintext in, a complete age file out. */
class stream_AgeEncryptStream extends external_node_stream_.Transform {
    #start;
    #cipher;
    #held = Buffer.allocUnsafe(PLAINTEXT_CHUNK_SIZE);
    #heldLength = 0;
    #counter = 0;
    constructor(start) {
        super();
        // A passphrase header is still being derived; failures are reported on the first write or end.
        if (start instanceof Promise)
            start.catch(() => undefined);
        this.#start = start;
    }
    _transform(chunk, _encoding, callback) {
        this.#afterBegin(() => this.#consume(chunk), callback);
    }
    _flush(callback) {
        // Empty input still gets one (empty) final chunk, as the spec requires.
        this.#afterBegin(() => {
            this.#pushSealed(this.#held.subarray(0, this.#heldLength), true);
        }, callback);
    }
    /** Runs `step` once the header is out: synchronously on the hot path, after the scrypt wait otherwise. */
    #afterBegin(step, callback) {
        if (this.#cipher === undefined) {
            this.#begin()
                .then(step)
                .then(() => callback(), (e) => callback(asError(e)));
            return;
        }
        try {
            step();
        }
        catch (e) {
            callback(asError(e));
            return;
        }
        callback();
    }
    async #begin() {
        if (this.#cipher !== undefined)
            return;
        const start = await this.#start;
        this.#start = undefined;
        const payloadNonce = (0,external_node_crypto_.randomBytes)(PAYLOAD_NONCE_LENGTH);
        this.#cipher = new ChunkCipher(start.fileKey, payloadNonce);
        this.push(Buffer.concat([start.header, payloadNonce]));
    }
    #consume(chunk) {
        let offset = 0;
        if (this.#heldLength > 0) {
            offset = Math.min(PLAINTEXT_CHUNK_SIZE - this.#heldLength, chunk.length);
            chunk.copy(this.#held, this.#heldLength, 0, offset);
            this.#heldLength += offset;
            // A full held chunk is sealed only once more data proves it is not the final one.
            if (offset === chunk.length)
                return;
            this.#pushSealed(this.#held, false);
            this.#heldLength = 0;
        }
        while (chunk.length - offset > PLAINTEXT_CHUNK_SIZE) {
            this.#pushSealed(chunk.subarray(offset, offset + PLAINTEXT_CHUNK_SIZE), false);
            offset += PLAINTEXT_CHUNK_SIZE;
        }
        if (offset < chunk.length) {
            chunk.copy(this.#held, 0, offset);
            this.#heldLength = chunk.length - offset;
        }
    }
    /**
     * Seals the next chunk and pushes its two parts. A sink should buffer more than a chunk (the backup file's takes
     * 1 MiB, src/pipeline) so that they reach the disk together, not as a write for each 16-byte tag.
     */
    #pushSealed(plaintext, final) {
        const [sealed, tag] = this.#cipher.seal(plaintext, this.#counter++, final);
        this.push(sealed);
        this.push(tag);
    }
}
/** An age file in, plaintext out; every chunk is authenticated before any of it is pushed. */
class AgeDecryptStream extends external_node_stream_.Transform {
    #findFileKey;
    #headerReader = new HeaderReader();
    #fileKey;
    #payloadNonce = Buffer.allocUnsafe(PAYLOAD_NONCE_LENGTH);
    #payloadNonceLength = 0;
    #cipher;
    #held = Buffer.allocUnsafe(CIPHERTEXT_CHUNK_SIZE);
    #heldLength = 0;
    #counter = 0;
    constructor(findFileKey) {
        super();
        this.#findFileKey = findFileKey;
    }
    _transform(chunk, _encoding, callback) {
        let parsed = undefined;
        try {
            if (this.#headerReader === undefined)
                this.#consume(chunk);
            else
                parsed = this.#headerReader.push(chunk);
        }
        catch (e) {
            callback(asError(e));
            return;
        }
        if (parsed === undefined) {
            callback();
            return;
        }
        const { header, rest } = parsed;
        this.#headerReader = undefined;
        // Unwrapping may run scrypt; no more input arrives until the callback.
        Promise.resolve()
            .then(() => this.#findFileKey(header.stanzas))
            .then(fileKey => {
            verifyHeaderMac(header, fileKey);
            this.#fileKey = fileKey;
            this.#consume(rest);
        })
            .then(() => callback(), (e) => callback(asError(e)));
    }
    _flush(callback) {
        try {
            this.#finish();
        }
        catch (e) {
            callback(asError(e));
            return;
        }
        callback();
    }
    #consume(data) {
        let offset = 0;
        if (this.#cipher === undefined) {
            offset = Math.min(PAYLOAD_NONCE_LENGTH - this.#payloadNonceLength, data.length);
            data.copy(this.#payloadNonce, this.#payloadNonceLength, 0, offset);
            this.#payloadNonceLength += offset;
            if (this.#payloadNonceLength < PAYLOAD_NONCE_LENGTH)
                return;
            this.#cipher = new ChunkCipher(this.#fileKey, this.#payloadNonce);
        }
        if (this.#heldLength > 0) {
            const take = Math.min(CIPHERTEXT_CHUNK_SIZE - this.#heldLength, data.length - offset);
            data.copy(this.#held, this.#heldLength, offset, offset + take);
            this.#heldLength += take;
            offset += take;
            if (offset === data.length)
                return;
            this.#openInnerChunk(this.#held);
            this.#heldLength = 0;
        }
        while (data.length - offset > CIPHERTEXT_CHUNK_SIZE) {
            this.#openInnerChunk(data.subarray(offset, offset + CIPHERTEXT_CHUNK_SIZE));
            offset += CIPHERTEXT_CHUNK_SIZE;
        }
        if (offset < data.length) {
            data.copy(this.#held, 0, offset);
            this.#heldLength = data.length - offset;
        }
    }
    /** Opens a full chunk that more data follows, so it must not be the final one. */
    #openInnerChunk(ciphertext) {
        const cipher = this.#cipher;
        const number = this.#counter + 1;
        const plaintext = cipher.open(ciphertext, this.#counter, false);
        if (plaintext === undefined) {
            const asFinal = cipher.open(ciphertext, this.#counter, true);
            if (asFinal === undefined)
                throw new errors_AgeError(`file was tampered with (chunk ${number} failed authentication)`);
            // Authentic data may be released; what follows it is not part of the file.
            this.push(asFinal);
            throw new errors_AgeError(`file has trailing data after its final chunk (chunk ${number}); it was tampered with or concatenated`);
        }
        this.#counter++;
        this.push(plaintext);
    }
    #finish() {
        if (this.#headerReader !== undefined)
            throw this.#headerReader.incompleteError();
        if (this.#cipher === undefined) {
            throw new errors_AgeError('age header is incomplete: the file ends before the payload nonce (file is truncated)');
        }
        const cipher = this.#cipher;
        const number = this.#counter + 1;
        const ciphertext = this.#held.subarray(0, this.#heldLength);
        if (ciphertext.length === 0)
            throw new errors_AgeError('file is truncated: the payload has no chunks');
        if (ciphertext.length < stream_TAG_LENGTH)
            throw new errors_AgeError(`file is truncated: chunk ${number} is shorter than its authentication tag`);
        const plaintext = cipher.open(ciphertext, this.#counter, true);
        if (plaintext === undefined) {
            const asInner = ciphertext.length === CIPHERTEXT_CHUNK_SIZE ? cipher.open(ciphertext, this.#counter, false) : undefined;
            if (asInner === undefined) {
                const trailing = this.#trailingByteCount(ciphertext);
                if (trailing > 0) {
                    throw new errors_AgeError(`file has ${trailing} byte${trailing === 1 ? '' : 's'} of trailing data after its final chunk (chunk ${number}); it was tampered with or concatenated`);
                }
                throw new errors_AgeError(`file is truncated or was tampered with (chunk ${number} failed authentication)`);
            }
            this.push(asInner);
            throw new errors_AgeError(`file is truncated: it ends after chunk ${number} without a final chunk`);
        }
        if (plaintext.length === 0 && this.#counter > 0) {
            throw new errors_AgeError(`file is malformed: its final chunk (chunk ${number}) is empty, which only an empty file may have`);
        }
        this.push(plaintext);
    }
    /**
     * Only for the error message: whether the last chunk authenticates once a few bytes are cut off
     * its end, i.e. something (say, a newline) was appended to an intact file. Nothing is released.
     */
    #trailingByteCount(ciphertext) {
        const limit = Math.min(MAX_TRAILING_BYTES_PROBED, ciphertext.length - stream_TAG_LENGTH);
        for (let cut = 1; cut <= limit; cut++) {
            if (this.#cipher.open(ciphertext.subarray(0, ciphertext.length - cut), this.#counter, true) !== undefined)
                return cut;
        }
        return 0;
    }
}

;// CONCATENATED MODULE: ./src/age/index.ts
/**
 * age v1 (https://age-encryption.org/v1) over node:crypto: X25519 recipients and passphrases
 * (scrypt), streaming encryption and decryption. Not supported: ASCII armor, SSH keys, plugins,
 * post-quantum hybrid keys.
 */










function checkPassphrase(passphrase) {
    if (typeof passphrase !== 'string' || passphrase === '')
        throw new errors_AgeError('the age passphrase is empty; pass a non-empty passphrase');
}
/**
 * A Transform that turns plaintext into a complete age v1 file. Memory use is constant (one 64 KiB
 * chunk is held back, since the final chunk is sealed differently). With a passphrase the scrypt
 * derivation runs in the background; the header is written once it is done.
 */
function age_createEncryptStream(options) {
    if ('passphrase' in options && 'recipients' in options) {
        throw new AgeError('pass either age recipients or a passphrase, not both: the spec requires a passphrase to be the only recipient');
    }
    const fileKey = randomBytes(FILE_KEY_LENGTH);
    let start;
    if ('passphrase' in options) {
        checkPassphrase(options.passphrase);
        const workFactor = options.workFactor ?? DEFAULT_WORK_FACTOR;
        checkWorkFactor(workFactor, 'workFactor');
        start = wrapWithPassphrase(fileKey, options.passphrase, workFactor).then(stanza => ({
            header: encodeHeader([stanza], fileKey),
            fileKey
        }));
    }
    else {
        const { recipients } = options;
        if (recipients.length === 0)
            throw new AgeError('no age recipients given; pass at least one age1... recipient');
        checkRecipientCount(recipients.length);
        recipients.forEach((r, i) => {
            if (!(r instanceof X25519Recipient))
                throw new AgeError(`recipient ${i + 1} is not a parsed age recipient; use parseRecipients()`);
        });
        start = {
            header: encodeHeader(recipients.map(r => r.wrap(fileKey)), fileKey),
            fileKey
        };
    }
    return new AgeEncryptStream(start);
}
/**
 * A Transform that turns an age v1 file into plaintext. Every chunk is authenticated before any of
 * its plaintext is pushed; the stream fails with an AgeError on a wrong key, a tampered or
 * truncated file, or anything the spec says to reject.
 */
function createDecryptStream(options) {
    if ('passphrase' in options && 'identities' in options) {
        throw new errors_AgeError('pass either age identities or a passphrase, not both');
    }
    if ('passphrase' in options) {
        const { passphrase } = options;
        checkPassphrase(passphrase);
        const maxWorkFactor = options.maxWorkFactor ?? DEFAULT_MAX_WORK_FACTOR;
        scrypt_checkWorkFactor(maxWorkFactor, 'maxWorkFactor');
        return new AgeDecryptStream(stanzas => findFileKeyWithPassphrase(stanzas, passphrase, maxWorkFactor));
    }
    const identities = [...options.identities];
    if (identities.length === 0)
        throw new errors_AgeError('no age identities given; pass at least one AGE-SECRET-KEY-1... identity');
    identities.forEach((id, i) => {
        if (!(id instanceof X25519Identity))
            throw new errors_AgeError(`identity ${i + 1} is not a parsed age identity; use parseIdentities()`);
    });
    return new AgeDecryptStream(stanzas => findFileKeyWithIdentities(stanzas, identities));
}

;// CONCATENATED MODULE: ./src/bytes.ts
/** Bytes in the unit a person reads at a glance: `512 B`, `1.5 KiB`, `3.2 GiB`. */
function formatBytes(n) {
    const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
    let value = n;
    let unit = 0;
    while (value >= 1024 && unit < units.length - 1) {
        value /= 1024;
        unit++;
    }
    return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

;// CONCATENATED MODULE: ./src/format/file-name.ts
/** The manifest's name, at the top of the backup's folder and artifact. */
const file_name_MANIFEST_FILE = 'manifest.json';
const COMPRESSION_EXTENSION = { zstd: '.zst', gzip: '.gz', none: '' };
/** `<artifactName>.db` plus `.zst`/`.gz` for the compression and `.age` when encrypted. */
function backupFileName(artifactName, compression, encryption) {
    return `${artifactName}.db${COMPRESSION_EXTENSION[compression]}${encryption.kind === 'none' ? '' : '.age'}`;
}
/** Whether a name has the shape backupFileName gives (`.db`, `.db.zst.age`, ...). */
function file_name_isBackupFileName(name) {
    return /\.db(\.zst|\.gz)?(\.age)?$/.test(name);
}
/** The snapshot's file name for a backup file's: `x.db.zst.age` → `x.db`. */
function plaintextName(fileName) {
    const base = fileName.replace(/\.age$/, '').replace(/\.(zst|gz)$/, '');
    return base.endsWith('.db') ? base : `${base}.db`;
}

// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __nccwpck_require__(3024);
;// CONCATENATED MODULE: external "assert"
const external_assert_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("assert");
;// CONCATENATED MODULE: external "path"
const external_path_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("path");
;// CONCATENATED MODULE: external "fs"
const external_fs_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("fs");
;// CONCATENATED MODULE: ./node_modules/@actions/io/lib/io-util.js
var __awaiter = (undefined && undefined.__awaiter) || function (thisArg, _arguments, P, generator) {
    function adopt(value) { return value instanceof P ? value : new P(function (resolve) { resolve(value); }); }
    return new (P || (P = Promise))(function (resolve, reject) {
        function fulfilled(value) { try { step(generator.next(value)); } catch (e) { reject(e); } }
        function rejected(value) { try { step(generator["throw"](value)); } catch (e) { reject(e); } }
        function step(result) { result.done ? resolve(result.value) : adopt(result.value).then(fulfilled, rejected); }
        step((generator = generator.apply(thisArg, _arguments || [])).next());
    });
};


const { chmod, copyFile, lstat, mkdir, open: io_util_open, readdir, rename, rm, rmdir, stat: io_util_stat, symlink, unlink } = external_fs_namespaceObject.promises;
// export const {open} = 'fs'
const IS_WINDOWS = process.platform === 'win32';
/**
 * Custom implementation of readlink to ensure Windows junctions
 * maintain trailing backslash for backward compatibility with Node.js < 24
 *
 * In Node.js 20, Windows junctions (directory symlinks) always returned paths
 * with trailing backslashes. Node.js 24 removed this behavior, which breaks
 * code that relied on this format for path operations.
 *
 * This implementation restores the Node 20 behavior by adding a trailing
 * backslash to all junction results on Windows.
 */
function readlink(fsPath) {
    return __awaiter(this, void 0, void 0, function* () {
        const result = yield fs.promises.readlink(fsPath);
        // On Windows, restore Node 20 behavior: add trailing backslash to all results
        // since junctions on Windows are always directory links
        if (IS_WINDOWS && !result.endsWith('\\')) {
            return `${result}\\`;
        }
        return result;
    });
}
// See https://github.com/nodejs/node/blob/d0153aee367422d0858105abec186da4dff0a0c5/deps/uv/include/uv/win.h#L691
const UV_FS_O_EXLOCK = 0x10000000;
const READONLY = external_fs_namespaceObject.constants.O_RDONLY;
function exists(fsPath) {
    return __awaiter(this, void 0, void 0, function* () {
        try {
            yield io_util_stat(fsPath);
        }
        catch (err) {
            if (err.code === 'ENOENT') {
                return false;
            }
            throw err;
        }
        return true;
    });
}
function isDirectory(fsPath_1) {
    return __awaiter(this, arguments, void 0, function* (fsPath, useStat = false) {
        const stats = useStat ? yield io_util_stat(fsPath) : yield lstat(fsPath);
        return stats.isDirectory();
    });
}
/**
 * On OSX/Linux, true if path starts with '/'. On Windows, true for paths like:
 * \, \hello, \\hello\share, C:, and C:\hello (and corresponding alternate separator cases).
 */
function isRooted(p) {
    p = normalizeSeparators(p);
    if (!p) {
        throw new Error('isRooted() parameter "p" cannot be empty');
    }
    if (IS_WINDOWS) {
        return (p.startsWith('\\') || /^[A-Z]:/i.test(p) // e.g. \ or \hello or \\hello
        ); // e.g. C: or C:\hello
    }
    return p.startsWith('/');
}
/**
 * Best effort attempt to determine whether a file exists and is executable.
 * @param filePath    file path to check
 * @param extensions  additional file extensions to try
 * @return if file exists and is executable, returns the file path. otherwise empty string.
 */
function tryGetExecutablePath(filePath, extensions) {
    return __awaiter(this, void 0, void 0, function* () {
        let stats = undefined;
        try {
            // test file exists
            stats = yield io_util_stat(filePath);
        }
        catch (err) {
            if (err.code !== 'ENOENT') {
                // eslint-disable-next-line no-console
                console.log(`Unexpected error attempting to determine if executable file exists '${filePath}': ${err}`);
            }
        }
        if (stats && stats.isFile()) {
            if (IS_WINDOWS) {
                // on Windows, test for valid extension
                const upperExt = external_path_namespaceObject.extname(filePath).toUpperCase();
                if (extensions.some(validExt => validExt.toUpperCase() === upperExt)) {
                    return filePath;
                }
            }
            else {
                if (isUnixExecutable(stats)) {
                    return filePath;
                }
            }
        }
        // try each extension
        const originalFilePath = filePath;
        for (const extension of extensions) {
            filePath = originalFilePath + extension;
            stats = undefined;
            try {
                stats = yield io_util_stat(filePath);
            }
            catch (err) {
                if (err.code !== 'ENOENT') {
                    // eslint-disable-next-line no-console
                    console.log(`Unexpected error attempting to determine if executable file exists '${filePath}': ${err}`);
                }
            }
            if (stats && stats.isFile()) {
                if (IS_WINDOWS) {
                    // preserve the case of the actual file (since an extension was appended)
                    try {
                        const directory = external_path_namespaceObject.dirname(filePath);
                        const upperName = external_path_namespaceObject.basename(filePath).toUpperCase();
                        for (const actualName of yield readdir(directory)) {
                            if (upperName === actualName.toUpperCase()) {
                                filePath = external_path_namespaceObject.join(directory, actualName);
                                break;
                            }
                        }
                    }
                    catch (err) {
                        // eslint-disable-next-line no-console
                        console.log(`Unexpected error attempting to determine the actual case of the file '${filePath}': ${err}`);
                    }
                    return filePath;
                }
                else {
                    if (isUnixExecutable(stats)) {
                        return filePath;
                    }
                }
            }
        }
        return '';
    });
}
function normalizeSeparators(p) {
    p = p || '';
    if (IS_WINDOWS) {
        // convert slashes on Windows
        p = p.replace(/\//g, '\\');
        // remove redundant slashes
        return p.replace(/\\\\+/g, '\\');
    }
    // remove redundant slashes
    return p.replace(/\/\/+/g, '/');
}
// on Mac/Linux, test the execute bit
//     R   W  X  R  W X R W X
//   256 128 64 32 16 8 4 2 1
function isUnixExecutable(stats) {
    return ((stats.mode & 1) > 0 ||
        ((stats.mode & 8) > 0 &&
            process.getgid !== undefined &&
            stats.gid === process.getgid()) ||
        ((stats.mode & 64) > 0 &&
            process.getuid !== undefined &&
            stats.uid === process.getuid()));
}
// Get the path of cmd.exe in windows
function getCmdPath() {
    var _a;
    return (_a = process.env['COMSPEC']) !== null && _a !== void 0 ? _a : `cmd.exe`;
}
//# sourceMappingURL=io-util.js.map
;// CONCATENATED MODULE: ./node_modules/@actions/io/lib/io.js
var io_awaiter = (undefined && undefined.__awaiter) || function (thisArg, _arguments, P, generator) {
    function adopt(value) { return value instanceof P ? value : new P(function (resolve) { resolve(value); }); }
    return new (P || (P = Promise))(function (resolve, reject) {
        function fulfilled(value) { try { step(generator.next(value)); } catch (e) { reject(e); } }
        function rejected(value) { try { step(generator["throw"](value)); } catch (e) { reject(e); } }
        function step(result) { result.done ? resolve(result.value) : adopt(result.value).then(fulfilled, rejected); }
        step((generator = generator.apply(thisArg, _arguments || [])).next());
    });
};



/**
 * Copies a file or folder.
 * Based off of shelljs - https://github.com/shelljs/shelljs/blob/9237f66c52e5daa40458f94f9565e18e8132f5a6/src/cp.js
 *
 * @param     source    source path
 * @param     dest      destination path
 * @param     options   optional. See CopyOptions.
 */
function cp(source_1, dest_1) {
    return io_awaiter(this, arguments, void 0, function* (source, dest, options = {}) {
        const { force, recursive, copySourceDirectory } = readCopyOptions(options);
        const destStat = (yield ioUtil.exists(dest)) ? yield ioUtil.stat(dest) : null;
        // Dest is an existing file, but not forcing
        if (destStat && destStat.isFile() && !force) {
            return;
        }
        // If dest is an existing directory, should copy inside.
        const newDest = destStat && destStat.isDirectory() && copySourceDirectory
            ? path.join(dest, path.basename(source))
            : dest;
        if (!(yield ioUtil.exists(source))) {
            throw new Error(`no such file or directory: ${source}`);
        }
        const sourceStat = yield ioUtil.stat(source);
        if (sourceStat.isDirectory()) {
            if (!recursive) {
                throw new Error(`Failed to copy. ${source} is a directory, but tried to copy without recursive flag.`);
            }
            else {
                yield cpDirRecursive(source, newDest, 0, force);
            }
        }
        else {
            if (path.relative(source, newDest) === '') {
                // a file cannot be copied to itself
                throw new Error(`'${newDest}' and '${source}' are the same file`);
            }
            yield io_copyFile(source, newDest, force);
        }
    });
}
/**
 * Moves a path.
 *
 * @param     source    source path
 * @param     dest      destination path
 * @param     options   optional. See MoveOptions.
 */
function mv(source_1, dest_1) {
    return io_awaiter(this, arguments, void 0, function* (source, dest, options = {}) {
        if (yield ioUtil.exists(dest)) {
            let destExists = true;
            if (yield ioUtil.isDirectory(dest)) {
                // If dest is directory copy src into dest
                dest = path.join(dest, path.basename(source));
                destExists = yield ioUtil.exists(dest);
            }
            if (destExists) {
                if (options.force == null || options.force) {
                    yield rmRF(dest);
                }
                else {
                    throw new Error('Destination already exists');
                }
            }
        }
        yield mkdirP(path.dirname(dest));
        yield ioUtil.rename(source, dest);
    });
}
/**
 * Remove a path recursively with force
 *
 * @param inputPath path to remove
 */
function rmRF(inputPath) {
    return io_awaiter(this, void 0, void 0, function* () {
        if (ioUtil.IS_WINDOWS) {
            // Check for invalid characters
            // https://docs.microsoft.com/en-us/windows/win32/fileio/naming-a-file
            if (/[*"<>|]/.test(inputPath)) {
                throw new Error('File path must not contain `*`, `"`, `<`, `>` or `|` on Windows');
            }
        }
        try {
            // note if path does not exist, error is silent
            yield ioUtil.rm(inputPath, {
                force: true,
                maxRetries: 3,
                recursive: true,
                retryDelay: 300
            });
        }
        catch (err) {
            throw new Error(`File was unable to be removed ${err}`);
        }
    });
}
/**
 * Make a directory.  Creates the full path with folders in between
 * Will throw if it fails
 *
 * @param   fsPath        path to create
 * @returns Promise<void>
 */
function mkdirP(fsPath) {
    return io_awaiter(this, void 0, void 0, function* () {
        ok(fsPath, 'a path argument must be provided');
        yield ioUtil.mkdir(fsPath, { recursive: true });
    });
}
/**
 * Returns path of a tool had the tool actually been invoked.  Resolves via paths.
 * If you check and the tool does not exist, it will throw.
 *
 * @param     tool              name of the tool
 * @param     check             whether to check if tool exists
 * @returns   Promise<string>   path to tool
 */
function which(tool, check) {
    return io_awaiter(this, void 0, void 0, function* () {
        if (!tool) {
            throw new Error("parameter 'tool' is required");
        }
        // recursive when check=true
        if (check) {
            const result = yield which(tool, false);
            if (!result) {
                if (IS_WINDOWS) {
                    throw new Error(`Unable to locate executable file: ${tool}. Please verify either the file path exists or the file can be found within a directory specified by the PATH environment variable. Also verify the file has a valid extension for an executable file.`);
                }
                else {
                    throw new Error(`Unable to locate executable file: ${tool}. Please verify either the file path exists or the file can be found within a directory specified by the PATH environment variable. Also check the file mode to verify the file is executable.`);
                }
            }
            return result;
        }
        const matches = yield findInPath(tool);
        if (matches && matches.length > 0) {
            return matches[0];
        }
        return '';
    });
}
/**
 * Returns a list of all occurrences of the given tool on the system path.
 *
 * @returns   Promise<string[]>  the paths of the tool
 */
function findInPath(tool) {
    return io_awaiter(this, void 0, void 0, function* () {
        if (!tool) {
            throw new Error("parameter 'tool' is required");
        }
        // build the list of extensions to try
        const extensions = [];
        if (IS_WINDOWS && process.env['PATHEXT']) {
            for (const extension of process.env['PATHEXT'].split(external_path_namespaceObject.delimiter)) {
                if (extension) {
                    extensions.push(extension);
                }
            }
        }
        // if it's rooted, return it if exists. otherwise return empty.
        if (isRooted(tool)) {
            const filePath = yield tryGetExecutablePath(tool, extensions);
            if (filePath) {
                return [filePath];
            }
            return [];
        }
        // if any path separators, return empty
        if (tool.includes(external_path_namespaceObject.sep)) {
            return [];
        }
        // build the list of directories
        //
        // Note, technically "where" checks the current directory on Windows. From a toolkit perspective,
        // it feels like we should not do this. Checking the current directory seems like more of a use
        // case of a shell, and the which() function exposed by the toolkit should strive for consistency
        // across platforms.
        const directories = [];
        if (process.env.PATH) {
            for (const p of process.env.PATH.split(external_path_namespaceObject.delimiter)) {
                if (p) {
                    directories.push(p);
                }
            }
        }
        // find all matches
        const matches = [];
        for (const directory of directories) {
            const filePath = yield tryGetExecutablePath(external_path_namespaceObject.join(directory, tool), extensions);
            if (filePath) {
                matches.push(filePath);
            }
        }
        return matches;
    });
}
function readCopyOptions(options) {
    const force = options.force == null ? true : options.force;
    const recursive = Boolean(options.recursive);
    const copySourceDirectory = options.copySourceDirectory == null
        ? true
        : Boolean(options.copySourceDirectory);
    return { force, recursive, copySourceDirectory };
}
function cpDirRecursive(sourceDir, destDir, currentDepth, force) {
    return io_awaiter(this, void 0, void 0, function* () {
        // Ensure there is not a run away recursive copy
        if (currentDepth >= 255)
            return;
        currentDepth++;
        yield mkdirP(destDir);
        const files = yield ioUtil.readdir(sourceDir);
        for (const fileName of files) {
            const srcFile = `${sourceDir}/${fileName}`;
            const destFile = `${destDir}/${fileName}`;
            const srcFileStat = yield ioUtil.lstat(srcFile);
            if (srcFileStat.isDirectory()) {
                // Recurse
                yield cpDirRecursive(srcFile, destFile, currentDepth, force);
            }
            else {
                yield io_copyFile(srcFile, destFile, force);
            }
        }
        // Change the mode for the newly created directory
        yield ioUtil.chmod(destDir, (yield ioUtil.stat(sourceDir)).mode);
    });
}
// Buffered file copy
function io_copyFile(srcFile, destFile, force) {
    return io_awaiter(this, void 0, void 0, function* () {
        if ((yield ioUtil.lstat(srcFile)).isSymbolicLink()) {
            // unlink/re-link it
            try {
                yield ioUtil.lstat(destFile);
                yield ioUtil.unlink(destFile);
            }
            catch (e) {
                // Try to override file permission
                if (e.code === 'EPERM') {
                    yield ioUtil.chmod(destFile, '0666');
                    yield ioUtil.unlink(destFile);
                }
                // other errors = it doesn't exist, no work to do
            }
            // Copy over symlink
            const symlinkFull = yield ioUtil.readlink(srcFile);
            yield ioUtil.symlink(symlinkFull, destFile, ioUtil.IS_WINDOWS ? 'junction' : null);
        }
        else if (!(yield ioUtil.exists(destFile)) || force) {
            yield ioUtil.copyFile(srcFile, destFile);
        }
    });
}
//# sourceMappingURL=io.js.map
// EXTERNAL MODULE: external "node:child_process"
var external_node_child_process_ = __nccwpck_require__(1421);
;// CONCATENATED MODULE: ./src/etcd/process.ts

/**
 * What a child may inherit from this process: where to find programs, a home and a temp dir, the locale, the CA
 * bundle Go reads for system roots, and the Go runtime's limits a runner's admin may set (a container's CPUs and
 * memory). Nothing else: the runner's environment holds every input (INPUT_PASSWORD, INPUT_KEY, INPUT_PASSPHRASE,
 * INPUT_IDENTITY) and the runtime tokens, and an etcd tool reads ETCD_*, ETCDCTL_* and HTTPS_PROXY as its own
 * settings.
 */
const INHERITED = [
    'PATH',
    'HOME',
    'TMPDIR',
    'TZ',
    'LANG',
    'LC_*',
    'SSL_CERT_FILE',
    'SSL_CERT_DIR',
    'GOMAXPROCS',
    'GOMEMLIMIT',
    'GODEBUG'
];
/**
 * The environment of every child this action starts: the allow-listed part of ours, minus `drop`, plus `extra`
 * (which the caller chose, so it may name anything, ETCDCTL_* credentials included).
 */
function childEnv(extra = {}, drop = []) {
    const matches = (key, pattern) => pattern.endsWith('*') ? key.startsWith(pattern.slice(0, -1)) : key === pattern;
    const env = {};
    for (const [key, value] of Object.entries(process.env)) {
        if (value === undefined)
            continue;
        if (INHERITED.some(p => matches(key, p)) && !drop.some(p => matches(key, p)))
            env[key] = value;
    }
    for (const [key, value] of Object.entries(extra))
        if (value !== undefined)
            env[key] = value;
    return env;
}
/** Children still running, so a cancelled job can take them down with it (see killRunningTools). */
const running = new Set();
/**
 * Runs a tool in its own process group and collects its output. On timeout the whole group is killed, so nothing
 * the tool started outlives it.
 */
async function runTool(binary, args, options = {}) {
    const env = childEnv(options.env, options.dropEnv);
    return await new Promise((resolve, reject) => {
        const child = (0,external_node_child_process_.spawn)(binary, args, { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
        running.add(child);
        const stdout = [];
        const stderr = [];
        let timedOut = false;
        const timer = options.timeoutMs === undefined
            ? undefined
            : setTimeout(() => {
                timedOut = true;
                killGroup(child, 'SIGKILL');
            }, options.timeoutMs);
        child.stdout.on('data', (b) => stdout.push(b));
        child.stderr.on('data', (b) => stderr.push(b));
        child.on('error', err => {
            clearTimeout(timer);
            running.delete(child);
            reject(err);
        });
        child.on('close', (code, signal) => {
            clearTimeout(timer);
            running.delete(child);
            resolve({
                stdout: Buffer.concat(stdout).toString('utf8'),
                stderr: Buffer.concat(stderr).toString('utf8'),
                code,
                signal,
                timedOut
            });
        });
    });
}
function killGroup(child, signal) {
    if (child.pid === undefined)
        return;
    try {
        process.kill(-child.pid, signal);
    }
    catch {
        // The group is already gone.
    }
}
/** Kills every tool still running (used when the job is cancelled). */
function killRunningTools() {
    for (const child of running)
        killGroup(child, 'SIGKILL');
}

;// CONCATENATED MODULE: ./src/etcd/tools.ts



/**
 * Finds etcdctl (required) and etcdutl (optional unless named explicitly) and reads their versions. A missing
 * etcdctl is the user's to fix, so it is a ConfigurationError.
 */
async function resolveTools(etcdctl, etcdutl, etcdutlExplicit = false) {
    const ctlPath = await which(etcdctl, false);
    if (!ctlPath) {
        throw new errors_ConfigurationError(`etcdctl: '${etcdctl}' was not found; install etcd-client (or the etcd release tarball) on the runner, or set the etcdctl input to its path`);
    }
    const result = { etcdctl: { path: ctlPath, version: await toolVersion(ctlPath, 'etcdctl') } };
    const utlPath = await which(etcdutl, false);
    if (utlPath)
        result.etcdutl = { path: utlPath, version: await toolVersion(utlPath, 'etcdutl') };
    else if (etcdutlExplicit) {
        throw new errors_ConfigurationError(`etcdutl: '${etcdutl}' was not found; set the etcdutl input to its path, or leave it empty`);
    }
    // Said before the snapshot is taken, not after: etcd 3.6 removed `snapshot status` from etcdctl.
    if (!result.etcdutl && compareVersions(result.etcdctl.version, '3.6.0') >= 0) {
        throw new errors_ConfigurationError(`etcdctl ${result.etcdctl.version} has no 'snapshot status' (etcd 3.6 moved it to etcdutl); put etcdutl on PATH or set the etcdutl input`);
    }
    return result;
}
async function toolVersion(binary, name) {
    const result = await runTool(binary, ['version'], { env: { ETCDCTL_API: '3' }, timeoutMs: 10_000 });
    const match = new RegExp(`${name} version:\\s*(\\S+)`).exec(result.stdout);
    if (result.code !== 0 || !match) {
        throw new errors_EtcdError(`'${binary} version' did not print a version; is it really ${name}?`);
    }
    return match[1];
}
/** Compares dotted versions: negative when a < b. */
function compareVersions(a, b) {
    const pa = a.split(/[.-]/).map(n => Number.parseInt(n, 10) || 0);
    const pb = b.split(/[.-]/).map(n => Number.parseInt(n, 10) || 0);
    for (let i = 0; i < 3; i++)
        if ((pa[i] ?? 0) !== (pb[i] ?? 0))
            return (pa[i] ?? 0) - (pb[i] ?? 0);
    return 0;
}

;// CONCATENATED MODULE: external "node:stream/promises"
const promises_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:stream/promises");
// EXTERNAL MODULE: external "node:zlib"
var external_node_zlib_ = __nccwpck_require__(8522);
;// CONCATENATED MODULE: ./src/pipeline/digest.ts


/** etcd appends sha256(data) to a snapshot: the last 32 bytes of the file. */
const TRAILER_SIZE = 32;
/**
 * Passes bytes through unchanged while hashing all but the last 32 of them, which it keeps aside: at the end it knows
 * the snapshot's data hash and its trailer without a second read of the file.
 */
class digest_SnapshotDigest extends (/* unused pure expression or super */ null && (Transform)) {
    hash = createHash('sha256');
    tail = Buffer.alloc(0);
    total = 0;
    _transform(chunk, _encoding, callback) {
        this.total += chunk.length;
        if (chunk.length >= TRAILER_SIZE) {
            if (this.tail.length)
                this.hash.update(this.tail);
            this.hash.update(chunk.subarray(0, chunk.length - TRAILER_SIZE));
            this.tail = Buffer.from(chunk.subarray(chunk.length - TRAILER_SIZE));
        }
        else {
            const joined = Buffer.concat([this.tail, chunk]);
            const keep = Math.min(TRAILER_SIZE, joined.length);
            this.hash.update(joined.subarray(0, joined.length - keep));
            this.tail = joined.subarray(joined.length - keep);
        }
        callback(null, chunk);
    }
    /** Call after the stream has ended. */
    result() {
        return {
            size: this.total,
            dataSha256: this.hash.digest('hex'),
            trailerSha256: this.tail.length === TRAILER_SIZE ? this.tail.toString('hex') : ''
        };
    }
}
/** Passes bytes through, counting and hashing them: the sha256 and size of the file we write. */
class digest_StreamDigest extends external_node_stream_.Transform {
    hash = (0,external_node_crypto_.createHash)('sha256');
    total = 0;
    _transform(chunk, _encoding, callback) {
        this.total += chunk.length;
        this.hash.update(chunk);
        callback(null, chunk);
    }
    result() {
        return { size: this.total, sha256: this.hash.digest('hex') };
    }
}

;// CONCATENATED MODULE: ./src/pipeline/compress.ts

/** The compressor for the chosen format, or undefined for none. zstd and gzip run on libuv's thread pool. */
function compress_createCompressor(compression, level) {
    switch (compression) {
        case 'zstd':
            return zlib.createZstdCompress({
                chunkSize: 1 << 20,
                params: { [zlib.constants.ZSTD_c_compressionLevel]: level, [zlib.constants.ZSTD_c_checksumFlag]: 1 }
            });
        case 'gzip':
            return zlib.createGzip({ level, chunkSize: 1 << 20 });
        case 'none':
            return undefined;
    }
}

;// CONCATENATED MODULE: ./src/pipeline/plaintext.ts




/**
 * The first stage of the pipeline: writes every byte to the plaintext snapshot file before passing it on, so that
 * once the stream ends the structure walk and etcd's own `snapshot status` can read a file (they need random
 * access) while hashing, compression and encryption never read it back. The file is created 0600 with
 * O_EXCL|O_NOFOLLOW in the private dir; the pipeline removes it on failure, the post step in any case.
 */
class plaintext_PlaintextCopy extends external_node_stream_.Transform {
    handle;
    file;
    constructor(handle, file) {
        super({ highWaterMark: 1 << 20 });
        this.handle = handle;
        this.file = file;
    }
    static async create(file) {
        try {
            const handle = await external_node_fs_.promises.open(file, external_node_fs_.constants.O_WRONLY | external_node_fs_.constants.O_CREAT | external_node_fs_.constants.O_EXCL | external_node_fs_.constants.O_NOFOLLOW, 0o600);
            return new plaintext_PlaintextCopy(handle, file);
        }
        catch (e) {
            throw new errors_OutputError(`cannot create the plaintext snapshot ${file}: ${errors_errorMessage(e)}`);
        }
    }
    _transform(chunk, _encoding, callback) {
        this.writeAll(chunk).then(() => callback(null, chunk), (e) => callback(this.describe(e)));
    }
    async writeAll(chunk) {
        for (let at = 0; at < chunk.length;) {
            const { bytesWritten } = await this.handle.write(chunk, at, chunk.length - at);
            at += bytesWritten;
        }
    }
    _flush(callback) {
        this.handle.close().then(() => callback(), (e) => callback(this.describe(e)));
    }
    _destroy(error, callback) {
        this.handle.close().then(() => callback(error), () => callback(error));
    }
    describe(e) {
        const dir = external_node_path_.dirname(this.file);
        const code = e.code;
        if (code === 'ENOSPC' || code === 'EDQUOT') {
            return new errors_OutputError(`no space left in ${dir} for the plaintext snapshot; the runner's temp dir (RUNNER_TEMP) needs room for the whole snapshot`);
        }
        return new errors_OutputError(`writing the plaintext snapshot in ${dir} failed: ${errors_errorMessage(e)}`);
    }
}

;// CONCATENATED MODULE: ./src/pipeline/index.ts








/**
 * What the file's write stream takes in while a write is in flight (node's default is 64 KiB). With room for several
 * age chunks, the stages go on working during a write, and what they made meanwhile goes out in one writev (about
 * 1 MiB) rather than a write per chunk and per tag: for 500 MiB of age chunks, 500 writevs instead of 16,000 writes.
 */
const WRITE_BUFFER = (/* unused pure expression or super */ null && (1 << 20));
/** The partial file a pipeline writes before its output is complete; the post step removes it if it survives. */
function partialPath(output) {
    return `${output}.partial`;
}
/**
 * One streaming pass over the snapshot: keep the plaintext copy, hash (for the trailer check), compress, encrypt,
 * hash again (the file's sha256) and write. Memory stays constant whatever the size. A half-written file never takes the final name.
 */
async function writeBackupFile(options) {
    const partial = partialPath(options.output);
    const snapshotDigest = new SnapshotDigest();
    const fileDigest = new StreamDigest();
    const stages = [snapshotDigest];
    const compressor = createCompressor(options.compression, options.compressionLevel);
    if (compressor)
        stages.push(compressor);
    if (options.encryption.kind === 'age-recipients') {
        stages.push(createEncryptStream({ recipients: options.encryption.recipients }));
    }
    else if (options.encryption.kind === 'age-passphrase') {
        stages.push(createEncryptStream({ passphrase: options.encryption.passphrase }));
    }
    stages.push(fileDigest);
    let created = false;
    let plaintext;
    try {
        if (options.plaintextCopy)
            plaintext = await PlaintextCopy.create(options.plaintextCopy);
        // O_EXCL + O_NOFOLLOW: never write through a planted symlink or into a file that is already there.
        const handle = await fs.open(partial, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
        created = true;
        const sink = createWriteStream('', { fd: handle, flush: true, highWaterMark: WRITE_BUFFER });
        await pipeline([options.source, ...(plaintext ? [plaintext] : []), ...stages, sink]);
        // link() refuses to replace an existing file, unlike rename().
        await fs.link(partial, options.output);
        await fs.unlink(partial);
    }
    catch (e) {
        const code = e.code;
        // A source that was never read (the output could not be created) must not stay open: it may be etcd's stream.
        options.source.destroy();
        plaintext?.destroy();
        if (created)
            await fs.rm(partial, { force: true });
        if (plaintext && options.plaintextCopy)
            await fs.rm(options.plaintextCopy, { force: true });
        // The source's and the plaintext copy's errors already say what failed (etcd went away, RUNNER_TEMP is full).
        if (e instanceof EtcdError || e instanceof OutputError)
            throw e;
        throw new OutputError(describeWriteFailure(code, options.output, e));
    }
    const snap = snapshotDigest.result();
    const file = fileDigest.result();
    return {
        snapshotSize: snap.size,
        snapshotDataSha256: snap.dataSha256,
        snapshotTrailerSha256: snap.trailerSha256,
        fileSize: file.size,
        fileSha256: file.sha256
    };
}
function describeWriteFailure(code, output, e) {
    const dir = path.dirname(output);
    switch (code) {
        case 'ENOSPC':
        case 'EDQUOT':
            return `no space left in ${dir} while writing the backup; free space or point output-dir elsewhere (the partial file was removed)`;
        case 'EEXIST':
            return `${output} (or its .partial) already exists; use a new artifact-name or remove the old file`;
        case 'ELOOP':
            // O_EXCL already refuses a link at .partial (EEXIST), so this is the snapshot file being read: the source.
            return `a symbolic link was found where the snapshot file should be (${errorMessage(e)}); refusing to follow it`;
        case 'EACCES':
        case 'EPERM':
            return `cannot write in ${dir} (permission denied); choose a writable output-dir`;
        default:
            return `writing ${output} failed: ${errorMessage(e)}`;
    }
}

;// CONCATENATED MODULE: ./src/verify/reader.ts


/**
 * The file could not be read at all (missing, unreadable, not a regular file, an I/O error): the snapshot was not
 * judged. Distinct from a snapshot found to be damaged, which is a report with valid: false.
 */
class SnapshotReadError extends errors_VerificationError {
    name = 'SnapshotReadError';
}
/** How much a read that continues the last one reads ahead: no more than the CPU's cache keeps close. */
const READ_AHEAD = 64 * 1024;
/**
 * A snapshot file read with positional reads into caller-owned buffers: memory stays constant however large the
 * file is, and nothing is mapped (a truncated file gives short reads, not the SIGBUS etcd's mmap gets).
 *
 * The walk reads page by page, and in a snapshot most pages follow the one read before (98% of 188,000 reads at
 * 1 GB). So a read that starts where the last one ended fills a 64 KiB window from there, and the reads after it
 * are served from that window: 20,000 system calls instead of 188,000, and 6-12% less time for the verifier at
 * 1 GB (a 1 MiB window was slower: it no longer fits the CPU's cache). Any other read goes to the file as asked,
 * so a scattered file costs what it did.
 */
class SnapshotFile {
    path;
    fd;
    size;
    #window;
    #windowStart = 0;
    #windowLength = 0;
    /** Where the next read starts if it continues the last one. */
    #nextConsecutive = -1;
    constructor(path, fd, size) {
        this.path = path;
        this.fd = fd;
        this.size = size;
    }
    static open(path) {
        let fd;
        try {
            // Non-blocking, so a FIFO (or a device) is opened at once and refused below instead of waiting for a writer;
            // a regular file reads the same either way.
            fd = (0,external_node_fs_.openSync)(path, external_node_fs_.constants.O_RDONLY | external_node_fs_.constants.O_NONBLOCK);
        }
        catch (e) {
            throw new SnapshotReadError(`cannot open snapshot ${path}: ${describe(e)}`);
        }
        try {
            const st = (0,external_node_fs_.fstatSync)(fd);
            if (!st.isFile())
                throw new SnapshotReadError(`${path} is not a regular file; give the path of a snapshot file`);
            return new SnapshotFile(path, fd, st.size);
        }
        catch (e) {
            (0,external_node_fs_.closeSync)(fd);
            if (e instanceof SnapshotReadError)
                throw e;
            throw new SnapshotReadError(`cannot stat snapshot ${path}: ${describe(e)}`);
        }
    }
    /**
     * Read up to `length` bytes at `position` into buf[offset..]. Returns the bytes read: fewer than asked only at
     * the end of the file.
     */
    read(buf, offset, length, position) {
        const consecutive = position === this.#nextConsecutive;
        this.#nextConsecutive = position + length;
        const inWindow = position - this.#windowStart;
        if (this.#window && inWindow >= 0 && inWindow + length <= this.#windowLength) {
            buf.set(this.#window.subarray(inWindow, inWindow + length), offset);
            return length;
        }
        if (!consecutive || length >= READ_AHEAD)
            return this.readFromFile(buf, offset, length, position);
        this.#window ??= new Uint8Array(READ_AHEAD);
        this.#windowStart = position;
        // Emptied first: if the read fails, nothing stale is served after it.
        this.#windowLength = 0;
        this.#windowLength = this.readFromFile(this.#window, 0, READ_AHEAD, position);
        const got = Math.min(length, this.#windowLength);
        buf.set(this.#window.subarray(0, got), offset);
        return got;
    }
    readFromFile(buf, offset, length, position) {
        let done = 0;
        while (done < length) {
            let n;
            try {
                n = (0,external_node_fs_.readSync)(this.fd, buf, offset + done, length - done, position + done);
            }
            catch (e) {
                throw new SnapshotReadError(`cannot read ${this.path} at byte ${position + done}: ${describe(e)}`);
            }
            if (n === 0)
                break;
            done += n;
        }
        return done;
    }
    close() {
        if (this.fd < 0)
            return;
        try {
            (0,external_node_fs_.closeSync)(this.fd);
        }
        finally {
            this.fd = -1;
        }
    }
}
function describe(e) {
    const code = e.code;
    if (code === 'ENOENT')
        return 'no such file';
    if (code === 'EACCES' || code === 'EPERM')
        return 'permission denied';
    if (code === 'EISDIR')
        return 'it is a directory';
    return typeof code === 'string' ? `${code}: ${errors_errorMessage(e)}` : errors_errorMessage(e);
}
/** A byte buffer with an aligned Int32 view of the same memory, grown on demand (contents are not kept). */
class reader_PageBuffer {
    bytes;
    words;
    view;
    constructor(size) {
        const ab = new ArrayBuffer(alignUp(size));
        this.bytes = new Uint8Array(ab);
        this.words = new Int32Array(ab);
        this.view = new DataView(ab);
    }
    /** Make room for `size` bytes; the old contents are discarded unless `keep` bytes are asked to survive. */
    ensure(size, keep = 0) {
        if (size <= this.bytes.length)
            return;
        // Doubling saves reallocations for small pages; a large one gets what it needs and no more.
        const ab = new ArrayBuffer(alignUp(size > 1024 * 1024 ? size : Math.max(size, this.bytes.length * 2)));
        const bytes = new Uint8Array(ab);
        if (keep > 0)
            bytes.set(this.bytes.subarray(0, keep));
        this.bytes = bytes;
        this.words = new Int32Array(ab);
        this.view = new DataView(ab);
    }
}
function alignUp(n) {
    return Math.max(16, Math.ceil(n / 16) * 16);
}

;// CONCATENATED MODULE: ./src/verify/bolt.ts
/**
 * The bbolt file format as etcd's snapshots hold it: meta pages, the page graph of each bucket's B+tree, the freelist,
 * and the accounting of every page below the high-water mark. Everything is checked as strictly as bbolt writes it
 * (elements packed right after the element array, overflow exactly what the node needed, a branch key equal to its
 * child's first key), so a flipped byte in any structural field is caught.
 *
 * Layout (little-endian): page header {id u64, flags u16, count u16, overflow u32}; branch element {pos u32,
 * ksize u32, pgid u64}; leaf element {flags u32, pos u32, ksize u32, vsize u32}; pos is relative to the element.
 */


const PAGE_HEADER_SIZE = 16;
const ELEMENT_SIZE = 16;
const BUCKET_HEADER_SIZE = 16;
const BRANCH_PAGE = 0x01;
const LEAF_PAGE = 0x02;
const META_PAGE = 0x04;
const FREELIST_PAGE = 0x10;
const BUCKET_LEAF_FLAG = 0x01;
const MAGIC = 0xed0cdaed;
const FORMAT_VERSION = 2;
/** bbolt's MaxKeySize and MaxValueSize. */
const MAX_KEY_SIZE = 32768;
const MAX_VALUE_SIZE = 0x7ffffffe;
/** No real B+tree gets near this; it bounds the memory a hostile file can make us hold. */
const MAX_TREE_DEPTH = 64;
/**
 * The most one page with its overflow may span: etcd's request limit (1.5 MiB by default) keeps a value to
 * megabytes, and bbolt puts at most a few large values on a page. bbolt's own limit is 2 GiB, so a hostile file could
 * otherwise make the verifier hold a gigabyte per level of its tree.
 */
const MAX_PAGE_SPAN = 32 * 1024 * 1024;
/** The most all pages on a walk's current root-to-leaf path may hold at once (the rest of a walk holds little). */
const MAX_PATH_BYTES = 48 * 1024 * 1024;
/** A frame buffer larger than this is dropped when the walk leaves its page. */
const RELEASE_ABOVE = 1024 * 1024;
/** bbolt stores at most 0xFFFF elements per page (the count field). */
const MAX_ELEMENTS = 0xffff;
/** Thrown for any structural damage; verify.ts turns it into a report error. */
function corrupt(message) {
    throw new errors_VerificationError(message);
}
const MIB = 1024 * 1024;
/** A u64 little-endian field in decimal, exactly: for messages, where readU64's -1 would mislead. */
function u64Text(view, off) {
    return view.getBigUint64(off, true).toString();
}
/** u64 little-endian as a JS number, or -1 when it does not fit in 2^53 (no valid page id or txid does). */
function readU64(view, off) {
    const lo = view.getUint32(off, true);
    const hi = view.getUint32(off + 4, true);
    if (hi >= 0x200000)
        return -1;
    return hi * 0x100000000 + lo;
}
function isAllOnes64(view, off) {
    return view.getUint32(off, true) === 0xffffffff && view.getUint32(off + 4, true) === 0xffffffff;
}
function hexU32(n) {
    return `0x${(n >>> 0).toString(16).padStart(8, '0')}`;
}
/** FNV-1a 64 over the 56 meta bytes before the checksum field, as bbolt's meta.sum64. */
function metaChecksum(bytes, off) {
    let h = 0xcbf29ce484222325n;
    for (let i = 0; i < 56; i++) {
        h ^= BigInt(bytes[off + i]);
        h = (h * 0x100000001b3n) & 0xffffffffffffffffn;
    }
    return h;
}
/** Parse the meta at page `index` (bytes[pageStart..]); `pageSize` is the one meta 0 declares (or the default). */
function parseMeta(buf, pageStart, index, pageSize) {
    const view = buf.view;
    const m = pageStart + PAGE_HEADER_SIZE;
    const where = `meta page ${index} (byte ${pageStart})`;
    const problems = [];
    const id = readU64(view, pageStart);
    const flags = view.getUint16(pageStart + 8, true);
    const count = view.getUint16(pageStart + 10, true);
    const overflow = view.getUint32(pageStart + 12, true);
    if (id !== index)
        problems.push(`${where}: page header id is ${u64Text(view, pageStart)}, expected ${index}`);
    if (flags !== META_PAGE)
        problems.push(`${where}: page flags ${hexU32(flags)}, expected meta (0x04)`);
    if (count !== 0 || overflow !== 0)
        problems.push(`${where}: page header count/overflow ${count}/${overflow}, expected 0/0`);
    const meta = {
        index,
        magic: view.getUint32(m, true),
        version: view.getUint32(m + 4, true),
        pageSize: view.getUint32(m + 8, true),
        flags: view.getUint32(m + 12, true),
        root: readU64(view, m + 16),
        rootSequence: view.getBigUint64(m + 24, true),
        freelist: isAllOnes64(view, m + 32) ? -1 : readU64(view, m + 32),
        hwm: readU64(view, m + 40),
        txid: readU64(view, m + 48),
        checksum: view.getBigUint64(m + 56, true),
        problems
    };
    if (meta.magic !== MAGIC)
        problems.push(`${where}: magic ${hexU32(meta.magic)} at byte ${m}, expected 0xed0cdaed (not a bbolt file)`);
    if (meta.version !== FORMAT_VERSION)
        problems.push(`${where}: format version ${meta.version} at byte ${m + 4}, expected 2`);
    const sum = metaChecksum(buf.bytes, m);
    if (sum !== meta.checksum) {
        problems.push(`${where}: checksum ${meta.checksum.toString(16)} at byte ${m + 56} does not match FNV-1a of the meta fields (${sum.toString(16)})`);
    }
    if (!isValidPageSize(meta.pageSize))
        problems.push(`${where}: page size ${meta.pageSize} at byte ${m + 8} is not a power of two in 512..65536`);
    else if (meta.pageSize !== pageSize)
        problems.push(`${where}: page size ${meta.pageSize} differs from meta page 0's ${pageSize}`);
    if (meta.flags !== 0)
        problems.push(`${where}: meta flags ${hexU32(meta.flags)} at byte ${m + 12}, expected 0`);
    if (meta.root < 0)
        problems.push(`${where}: root page id at byte ${m + 16} is out of range`);
    if (meta.freelist < -1)
        problems.push(`${where}: freelist page id at byte ${m + 32} is out of range`);
    if (meta.hwm < 0)
        problems.push(`${where}: high-water mark at byte ${m + 40} is out of range`);
    if (meta.txid < 0)
        problems.push(`${where}: txid at byte ${m + 48} is out of range`);
    if (meta.hwm >= 0 && meta.hwm < 3)
        problems.push(`${where}: high-water mark ${meta.hwm} leaves no room for a root page`);
    if (meta.hwm >= 0) {
        if (meta.root >= 0 && (meta.root < 2 || meta.root >= meta.hwm)) {
            problems.push(`${where}: root page ${meta.root} (byte ${m + 16}) is outside 2..${meta.hwm - 1}`);
        }
        if (meta.freelist >= 0 && (meta.freelist < 2 || meta.freelist >= meta.hwm)) {
            problems.push(`${where}: freelist page ${meta.freelist} (byte ${m + 32}) is outside 2..${meta.hwm - 1}`);
        }
    }
    // bbolt's WriteTo builds each meta page in a zeroed buffer: anything after the meta fields is damage.
    const pageEnd = pageStart + Math.min(isValidPageSize(meta.pageSize) ? meta.pageSize : pageSize, buf.bytes.length - pageStart);
    for (let i = m + 64; i < pageEnd; i++) {
        if (buf.bytes[i] !== 0) {
            problems.push(`${where}: byte ${i} after the meta fields is ${buf.bytes[i]}, expected 0`);
            break;
        }
    }
    return meta;
}
function isValidPageSize(n) {
    return n >= 512 && n <= 65536 && (n & (n - 1)) === 0;
}
/**
 * etcd writes a snapshot with bbolt's Tx.WriteTo: meta 0 and meta 1 hold the same fields, meta 1 with txid one lower.
 * Returns the first inconsistency, or ''.
 */
function compareMetas(m0, m1) {
    const at = (field) => `meta page 1 (byte ${m1.pageSize + PAGE_HEADER_SIZE + field})`;
    const fields = [
        ['root page', 16, m0.root, m1.root],
        ['root sequence', 24, m0.rootSequence, m1.rootSequence],
        ['freelist page', 32, m0.freelist, m1.freelist],
        ['high-water mark', 40, m0.hwm, m1.hwm]
    ];
    for (const [name, off, a, b] of fields) {
        if (a !== b)
            return `${at(off)}: ${name} ${String(b)} differs from meta page 0's ${String(a)}; a snapshot writes both from one transaction`;
    }
    if (m1.txid !== m0.txid - 1) {
        return `${at(48)}: txid ${m1.txid} is not meta page 0's txid ${m0.txid} minus 1, as a snapshot writes them`;
    }
    return '';
}
// ---------------------------------------------------------------------------------------------------------------
// Page accounting: every page below the high-water mark is used exactly once (tree, freelist, or free).
const PAGE_UNSEEN = 0;
const PAGE_META = 1;
const PAGE_FREELIST = 2;
const PAGE_FREE = 3;
const PAGE_TREE = 4;
const PAGE_OVERFLOW = 5;
/**
 * One bit per page below the high-water mark (claimed or not) and a count per role: a byte per page would let a sparse
 * file of 512-byte pages make the verifier hold 1/512 of its size; a bit holds 1/4096, and 1/32768 at etcd's 4 KiB.
 */
class PageMap {
    hwm;
    used;
    counts = [0, 0, 0, 0, 0, 0];
    constructor(hwm) {
        this.hwm = hwm;
        this.used = new Uint8Array(Math.ceil(hwm / 8));
        this.used[0] = 0b11;
        this.counts[PAGE_META] = Math.min(2, hwm);
    }
    /** Claim pages [first, first+count) for a role; a page claimed twice is damage. */
    claim(first, count, role, what) {
        for (let i = 0; i < count; i++) {
            const id = first + i;
            const byte = Math.floor(id / 8);
            const bit = 1 << (id % 8);
            if ((this.used[byte] & bit) !== 0) {
                corrupt(`page ${id}: ${what} uses a page that is already in use (a page referenced twice)`);
            }
            this.used[byte] |= bit;
            this.counts[i === 0 ? role : role === PAGE_TREE ? PAGE_OVERFLOW : role]++;
        }
    }
    /** First page that is neither reachable nor free, or -1. */
    firstUnaccounted() {
        for (let byte = 0; byte < this.used.length; byte++) {
            const v = this.used[byte];
            if (v === 0xff)
                continue;
            for (let bit = 0; bit < 8; bit++) {
                const id = byte * 8 + bit;
                if (id >= this.hwm)
                    return -1;
                if ((v & (1 << bit)) === 0)
                    return id;
            }
        }
        return -1;
    }
    count(role) {
        return this.counts[role] ?? 0;
    }
}
function pageOffset(db, pgid) {
    return pgid * db.pageSize;
}
/**
 * Read page `pgid` with all its overflow pages into `buf` (from byte 0). Checks the id is in range, the header id,
 * and that the overflow stays below the high-water mark. Returns the overflow count.
 */
function readPage(db, buf, pgid, referrer, held = 0) {
    if (pgid < 2 || pgid >= db.hwm)
        corrupt(`${referrer} points to page ${pgid < 0 ? 'id 2^53 or more' : pgid}, outside the data pages 2..${db.hwm - 1}`);
    if (pgid >= db.pagesInFile)
        corrupt(`${referrer} points to page ${pgid} (byte ${pageOffset(db, pgid)}), beyond the end of the file`);
    const ps = db.pageSize;
    buf.ensure(ps);
    const pos = pageOffset(db, pgid);
    if (db.file.read(buf.bytes, 0, ps, pos) < ps)
        corrupt(`page ${pgid} (byte ${pos}) is cut short by the end of the file`);
    const id = readU64(buf.view, 0);
    if (id !== pgid)
        corrupt(`page ${pgid} (byte ${pos}): header says page id ${u64Text(buf.view, 0)}, expected ${pgid} (${referrer})`);
    const overflow = buf.view.getUint32(12, true);
    if (overflow > 0) {
        if (pgid + overflow >= db.hwm) {
            corrupt(`page ${pgid} (byte ${pos + 12}): overflow ${overflow} runs past the high-water mark ${db.hwm}`);
        }
        if (pgid + overflow >= db.pagesInFile)
            corrupt(`page ${pgid} (byte ${pos + 12}): overflow ${overflow} runs past the end of the file`);
        const total = (overflow + 1) * ps;
        // Before allocating for the overflow, check it against what the elements say the page holds (bbolt allocates
        // exactly that), so a damaged overflow or size field cannot make us hold gigabytes.
        const need = packedSize(buf.view, ps);
        if (need >= 0 && Math.ceil(need / ps) - 1 !== overflow) {
            corrupt(`page ${pgid} (byte ${pos + 12}): overflow is ${overflow} but its elements need ${Math.ceil(need / ps) - 1}`);
        }
        if (total > MAX_PAGE_SPAN)
            corrupt(`page ${pgid} (byte ${pos + 12}): with its overflow the page spans ${total} bytes, more than the ${MAX_PAGE_SPAN / MIB} MiB the verifier reads as one page (etcd writes pages this large only for values of many megabytes)`);
        if (held + total > MAX_PATH_BYTES)
            corrupt(`page ${pgid} (byte ${pos + 12}): with its overflow the page spans ${total} bytes; with the ${held} bytes of the pages above it that is more than the ${MAX_PATH_BYTES / MIB} MiB the verifier holds at once`);
        buf.ensure(total, ps);
        if (db.file.read(buf.bytes, ps, total - ps, pos + ps) < total - ps) {
            corrupt(`page ${pgid} (byte ${pos}): its overflow pages are cut short by the end of the file`);
        }
    }
    return overflow;
}
/**
 * The size of a branch or leaf page's header, elements and packed data, from its element array in the first page;
 * -1 when that cannot be told from the first page (other flags, or an element array longer than a page).
 */
function packedSize(view, ps) {
    const flags = view.getUint16(8, true);
    const count = view.getUint16(10, true);
    if ((flags !== LEAF_PAGE && flags !== BRANCH_PAGE) || PAGE_HEADER_SIZE + ELEMENT_SIZE * count > ps)
        return -1;
    let size = PAGE_HEADER_SIZE + ELEMENT_SIZE * count;
    for (let i = 0; i < count; i++) {
        const e = PAGE_HEADER_SIZE + ELEMENT_SIZE * i;
        size +=
            flags === LEAF_PAGE ? view.getUint32(e + 8, true) + view.getUint32(e + 12, true) : view.getUint32(e + 4, true);
    }
    return size;
}
/** Byte-wise comparison, like bytes.Compare. */
function compareBytes(a, aOff, aLen, b, bOff, bLen) {
    const n = aLen < bLen ? aLen : bLen;
    for (let i = 0; i < n; i++) {
        const d = a[aOff + i] - b[bOff + i];
        if (d !== 0)
            return d;
    }
    return aLen - bLen;
}
/** A decoded leaf page (a real page or an inline bucket's page); element data is in `buf.bytes`. */
class LeafPage {
    buf = new reader_PageBuffer(16);
    /** 0 for an inline page. */
    pgid = 0;
    /** File position of buf.bytes[0], for messages. */
    fileOffset = 0;
    /** The bucket this page belongs to, for messages. */
    bucket = '';
    count = 0;
    flags = new Uint8Array(256);
    keyOff = new Int32Array(256);
    keyLen = new Int32Array(256);
    valLen = new Int32Array(256);
    /** The packed key/value bytes of all elements, in order: [dataStart, dataEnd). */
    dataStart = 0;
    dataEnd = 0;
    /** Elements [lo, hi) lie in the walk's key range (all of them unless the walk has one). */
    lo = 0;
    hi = 0;
    /** "page 12 element 3 (byte 49230)" — where element i's key is. */
    where(i) {
        const byte = this.fileOffset + this.keyOff[i];
        const page = this.pgid === 0 ? `inline page of bucket "${this.bucket}"` : `page ${this.pgid}`;
        return `${page} element ${i} (byte ${byte})`;
    }
    valueOffset(i) {
        return this.keyOff[i] + this.keyLen[i];
    }
    /** Room for `count` elements. */
    reserve(count) {
        if (count <= this.keyOff.length)
            return;
        const n = Math.min(MAX_ELEMENTS, Math.max(count, this.keyOff.length * 2));
        this.flags = new Uint8Array(n);
        this.keyOff = new Int32Array(n);
        this.keyLen = new Int32Array(n);
        this.valLen = new Int32Array(n);
    }
}
/** Branch page contents kept while its children are visited. */
class BranchFrame {
    buf = new reader_PageBuffer(4096);
    pgid = 0;
    count = 0;
    next = 0;
    /** Last child index to visit (count - 1 unless the walk has a key range). */
    last = 0;
    /** On the path to the split key: the index of the child holding it; else -1. */
    pathIndex = -1;
    keyOff = new Int32Array(256);
    keyLen = new Int32Array(256);
    child = new Float64Array(256);
    reserve(count) {
        if (count <= this.keyOff.length)
            return;
        const n = Math.min(MAX_ELEMENTS, Math.max(count, this.keyOff.length * 2));
        this.keyOff = new Int32Array(n);
        this.keyLen = new Int32Array(n);
        this.child = new Float64Array(n);
    }
}
/**
 * Check the element array of a page held in bytes[base, limit) and record element positions. bbolt writes the
 * key/value data packed in element order right after the element array, so every pos must land exactly where the
 * previous element's data ended. Returns the end of the packed data (relative to base).
 */
function decodeElements(bytes, view, base, limit, count, isLeaf, here, keyOff, keyLen, valLen, flags, child) {
    let expected = PAGE_HEADER_SIZE + ELEMENT_SIZE * count;
    if (base + expected > limit)
        corrupt(`${here(-1)}: ${count} elements do not fit in the page`);
    for (let i = 0; i < count; i++) {
        const e = base + PAGE_HEADER_SIZE + ELEMENT_SIZE * i;
        let pos, ksize, vsize;
        if (isLeaf) {
            const f = view.getUint32(e, true);
            if (f !== 0 && f !== BUCKET_LEAF_FLAG)
                corrupt(`${here(i)}: leaf element flags ${hexU32(f)} at byte offset ${e - base} of the page, expected 0 or 1`);
            flags[i] = f;
            pos = view.getUint32(e + 4, true);
            ksize = view.getUint32(e + 8, true);
            vsize = view.getUint32(e + 12, true);
            valLen[i] = vsize;
        }
        else {
            pos = view.getUint32(e, true);
            ksize = view.getUint32(e + 4, true);
            vsize = 0;
            const pg = readU64(view, e + 8);
            child[i] = pg;
        }
        if (e - base + pos !== expected) {
            corrupt(`${here(i)}: element data position ${pos} does not follow the previous element's data (packed layout broken)`);
        }
        if (ksize === 0)
            corrupt(`${here(i)}: empty key`);
        if (ksize > MAX_KEY_SIZE)
            corrupt(`${here(i)}: key size ${ksize} exceeds bbolt's maximum ${MAX_KEY_SIZE}`);
        if (vsize > MAX_VALUE_SIZE)
            corrupt(`${here(i)}: value size ${vsize} exceeds bbolt's maximum`);
        keyOff[i] = base + expected;
        keyLen[i] = ksize;
        expected += ksize + vsize;
        if (base + expected > limit)
            corrupt(`${here(i)}: key/value (${ksize}+${vsize} bytes) runs past the end of the page`);
    }
    // Keys strictly increasing within the page.
    for (let i = 1; i < count; i++) {
        if (compareBytes(bytes, keyOff[i - 1], keyLen[i - 1], bytes, keyOff[i], keyLen[i]) >= 0) {
            corrupt(`${here(i)}: key is not greater than the previous key on the page (keys out of order)`);
        }
    }
    return expected;
}
/**
 * Decode an inline bucket's page: bucket value bytes[valueStart, valueEnd) = 16-byte bucket header + a leaf page
 * exactly as large as its contents.
 */
function decodeInlinePage(bytes, pageStart, pageEnd, fileOffset, bucket, out) {
    const view = bytes.view;
    out.buf = bytes;
    out.pgid = 0;
    out.fileOffset = fileOffset;
    out.bucket = bucket;
    const where = `inline page of bucket "${bucket}" (byte ${fileOffset + pageStart})`;
    if (pageEnd - pageStart < PAGE_HEADER_SIZE)
        corrupt(`${where}: ${pageEnd - pageStart} bytes, too short for a page header`);
    const id = readU64(view, pageStart);
    const flags = view.getUint16(pageStart + 8, true);
    const count = view.getUint16(pageStart + 10, true);
    const overflow = view.getUint32(pageStart + 12, true);
    if (id !== 0)
        corrupt(`${where}: page id ${u64Text(view, pageStart)}, expected 0 for an inline page`);
    if (flags !== LEAF_PAGE)
        corrupt(`${where}: page flags ${hexU32(flags)}, expected leaf (0x02)`);
    if (overflow !== 0)
        corrupt(`${where}: overflow ${overflow}, expected 0`);
    out.reserve(count);
    out.count = count;
    const here = (i) => (i < 0 ? where : out.where(i));
    const end = decodeElements(bytes.bytes, view, pageStart, pageEnd, count, true, here, out.keyOff, out.keyLen, out.valLen, out.flags, null);
    if (pageStart + end !== pageEnd)
        corrupt(`${where}: ${pageEnd - pageStart - end} bytes after the last element (bucket value is the wrong size)`);
    for (let i = 0; i < count; i++) {
        if (out.flags[i] !== 0)
            corrupt(`${out.where(i)}: an inline bucket cannot hold a nested bucket`);
    }
    out.dataStart = pageStart + PAGE_HEADER_SIZE + ELEMENT_SIZE * count;
    out.dataEnd = pageStart + end;
    out.lo = 0;
    out.hi = count;
}
/**
 * Walks one bucket's B+tree from its root page in key order, checking every page and handing leaf pages to the
 * visitor. Resumable: `step(budget)` visits at most `budget` pages so callers can yield to the event loop.
 */
class TreeWalk {
    db;
    bucket;
    root;
    visit;
    range;
    frames = [];
    depth = -1;
    started = false;
    leaf = new LeafPage();
    /** The last key seen in this bucket (for order across leaf pages). */
    prevKey = new Uint8Array(64);
    prevKeyLen = -1;
    pagesVisited = 0;
    leafPages = 0;
    branchPages = 0;
    constructor(db, bucket, root, visit, range = {}) {
        this.db = db;
        this.bucket = bucket;
        this.root = root;
        this.visit = visit;
        this.range = range;
    }
    /** Visit up to `budget` pages; true once the whole tree is done. */
    step(budget) {
        if (!this.started) {
            this.started = true;
            this.load(this.root, null, 0, `bucket "${this.bucket}"`);
            budget--;
        }
        while (this.depth >= 0) {
            if (budget-- <= 0)
                return false;
            const top = this.frames[this.depth];
            if (top.next > top.last) {
                this.release(this.depth + 1);
                this.depth--;
                continue;
            }
            const i = top.next++;
            const child = top.child[i];
            this.load(child, top, i, `branch page ${top.pgid} element ${i}`);
        }
        return true;
    }
    /** A page with overflow leaves its frame's buffer large: give that back once the walk is above it. */
    release(depth) {
        const frame = this.frames[depth];
        if (frame && frame.buf.bytes.length > RELEASE_ABOVE)
            frame.buf = new reader_PageBuffer(this.db.pageSize);
    }
    /** Number of the (sorted) keys that are below `key` (or at most `key`, with orEqual). */
    countBefore(bytes, off, len, count, key, orEqual) {
        let lo = 0;
        let hi = count;
        while (lo < hi) {
            const mid = (lo + hi) >>> 1;
            const c = compareBytes(bytes, off[mid], len[mid], key, 0, key.length);
            if (c < 0 || (orEqual && c === 0))
                lo = mid + 1;
            else
                hi = mid;
        }
        return lo;
    }
    frame(depth) {
        let f = this.frames[depth];
        if (!f) {
            f = new BranchFrame();
            this.frames[depth] = f;
        }
        return f;
    }
    load(pgid, parent, parentIndex, referrer) {
        const depth = this.depth + 1;
        if (depth >= MAX_TREE_DEPTH)
            corrupt(`bucket "${this.bucket}": B+tree deeper than ${MAX_TREE_DEPTH} levels at page ${pgid} (a cycle or garbage page ids)`);
        const frame = this.frame(depth);
        const buf = frame.buf;
        const db = this.db;
        let held = 0;
        for (let d = 0; d < depth; d++)
            held += this.frames[d].buf.bytes.length;
        const overflow = readPage(db, buf, pgid, referrer, held);
        const { split, side, path } = this.range;
        const onPath = split !== undefined && (parent === null || (parent.pathIndex >= 0 && parentIndex === parent.pathIndex));
        if (!(side === 'below' && onPath && path?.has(pgid))) {
            db.pages.claim(pgid, overflow + 1, PAGE_TREE, `${referrer} (bucket "${this.bucket}")`);
            this.pagesVisited += overflow + 1;
        }
        const view = buf.view;
        const flags = view.getUint16(8, true);
        const count = view.getUint16(10, true);
        const pos = pgid * db.pageSize;
        const limit = (overflow + 1) * db.pageSize;
        if (flags === BRANCH_PAGE) {
            this.branchPages++;
            if (count === 0)
                corrupt(`page ${pgid} (byte ${pos}): branch page with no elements`);
            frame.reserve(count);
            frame.pgid = pgid;
            frame.count = count;
            frame.next = 0;
            const here = (i) => i < 0
                ? `page ${pgid} (byte ${pos})`
                : `page ${pgid} branch element ${i} (byte ${pos + PAGE_HEADER_SIZE + ELEMENT_SIZE * i})`;
            const end = decodeElements(buf.bytes, view, 0, limit, count, false, here, frame.keyOff, frame.keyLen, null, null, frame.child);
            this.checkOverflow(pgid, pos, end, overflow);
            this.checkFirstKey(buf.bytes, frame.keyOff[0], frame.keyLen[0], parent, parentIndex, pgid, pos);
            frame.next = 0;
            frame.last = count - 1;
            frame.pathIndex = -1;
            if (onPath) {
                // The child holding the split key: the last one whose first key is at or before it.
                let b = path?.get(pgid);
                if (b === undefined) {
                    b = Math.max(0, this.countBefore(buf.bytes, frame.keyOff, frame.keyLen, count, split, true) - 1);
                    path?.set(pgid, b);
                }
                frame.pathIndex = b;
                if (side === 'above')
                    frame.next = b;
                else
                    frame.last = b;
            }
            this.depth = depth;
        }
        else if (flags === LEAF_PAGE) {
            this.leafPages++;
            const leaf = this.leaf;
            leaf.buf = buf;
            leaf.pgid = pgid;
            leaf.fileOffset = pos;
            leaf.bucket = this.bucket;
            leaf.reserve(count);
            leaf.count = count;
            const here = (i) => (i < 0 ? `page ${pgid} (byte ${pos})` : leaf.where(i));
            const end = decodeElements(buf.bytes, view, 0, limit, count, true, here, leaf.keyOff, leaf.keyLen, leaf.valLen, leaf.flags, null);
            this.checkOverflow(pgid, pos, end, overflow);
            if (count === 0) {
                // Only a bucket's root may be an empty leaf (an empty bucket).
                if (parent)
                    corrupt(`page ${pgid} (byte ${pos}): empty leaf page below branch page ${parent.pgid}`);
            }
            else {
                this.checkFirstKey(buf.bytes, leaf.keyOff[0], leaf.keyLen[0], parent, parentIndex, pgid, pos);
                this.checkOrderAcrossPages(buf.bytes, leaf.keyOff[0], leaf.keyLen[0], pgid, pos);
                const last = count - 1;
                this.rememberKey(buf.bytes, leaf.keyOff[last], leaf.keyLen[last]);
            }
            leaf.dataStart = PAGE_HEADER_SIZE + ELEMENT_SIZE * count;
            leaf.dataEnd = end;
            leaf.lo = 0;
            leaf.hi = count;
            if (onPath) {
                const at = this.countBefore(buf.bytes, leaf.keyOff, leaf.keyLen, count, split, false);
                if (side === 'above')
                    leaf.lo = at;
                else
                    leaf.hi = at;
                path?.set(pgid, -1);
            }
            this.visit(leaf);
        }
        else {
            corrupt(`page ${pgid} (byte ${pos + 8}): page flags ${hexU32(flags)}, expected branch (0x01) or leaf (0x02) (${referrer})`);
        }
    }
    /** bbolt allocates exactly ceil(size / pageSize) pages for a node. */
    checkOverflow(pgid, pos, size, overflow) {
        const need = Math.ceil(size / this.db.pageSize) - 1;
        if (need !== overflow)
            corrupt(`page ${pgid} (byte ${pos + 12}): overflow is ${overflow} but its ${size} bytes of content need ${need}`);
    }
    /** A branch element's key is its child's first key (bbolt sets it on every spill). */
    checkFirstKey(bytes, off, len, parent, parentIndex, pgid, pos) {
        if (!parent)
            return;
        const pOff = parent.keyOff[parentIndex];
        const pLen = parent.keyLen[parentIndex];
        if (compareBytes(parent.buf.bytes, pOff, pLen, bytes, off, len) !== 0) {
            corrupt(`page ${parent.pgid} branch element ${parentIndex} (byte ${parent.pgid * this.db.pageSize + pOff}): key differs from the first key of its child page ${pgid} (byte ${pos + off})`);
        }
    }
    checkOrderAcrossPages(bytes, off, len, pgid, pos) {
        if (this.prevKeyLen < 0)
            return;
        if (compareBytes(this.prevKey, 0, this.prevKeyLen, bytes, off, len) >= 0) {
            corrupt(`page ${pgid} (byte ${pos + off}): first key is not greater than the last key of the previous leaf page of bucket "${this.bucket}"`);
        }
    }
    rememberKey(bytes, off, len) {
        if (this.prevKey.length < len)
            this.prevKey = new Uint8Array(len * 2);
        this.prevKey.set(bytes.subarray(off, off + len));
        this.prevKeyLen = len;
    }
}
/**
 * Where the first key >= `key` lies in an already verified bucket tree: "page P element i (byte X)", or '' if it
 * cannot be found. Reads the pages on one root-to-leaf path (nothing is counted in the page map).
 */
function locateKey(db, root, key) {
    const buf = new reader_PageBuffer(db.pageSize);
    let pgid = root;
    for (let depth = 0; depth < MAX_TREE_DEPTH; depth++) {
        if (pgid < 2 || pgid >= db.pagesInFile)
            return '';
        const pos = pgid * db.pageSize;
        if (db.file.read(buf.bytes, 0, db.pageSize, pos) < db.pageSize)
            return '';
        const flags = buf.view.getUint16(8, true);
        const count = buf.view.getUint16(10, true);
        if (PAGE_HEADER_SIZE + ELEMENT_SIZE * count > db.pageSize)
            return '';
        let chosen = 0;
        for (let i = 0; i < count; i++) {
            const e = PAGE_HEADER_SIZE + ELEMENT_SIZE * i;
            const keyAt = e + buf.view.getUint32(flags === LEAF_PAGE ? e + 4 : e, true);
            const keyLen = buf.view.getUint32(flags === LEAF_PAGE ? e + 8 : e + 4, true);
            if (keyAt + Math.min(keyLen, key.length) > db.pageSize)
                break;
            const c = compareBytes(buf.bytes, keyAt, Math.min(keyLen, key.length), key, 0, key.length);
            if (flags === LEAF_PAGE) {
                if (c >= 0)
                    return `page ${pgid} element ${i} (byte ${pos + keyAt})`;
            }
            else if (c <= 0)
                chosen = i;
        }
        if (flags !== BRANCH_PAGE)
            return '';
        pgid = readU64(buf.view, PAGE_HEADER_SIZE + ELEMENT_SIZE * chosen + 8);
    }
    return '';
}
/**
 * The value under `key` and the last key of a bucket tree, by reading one root-to-leaf path each: hints taken before
 * the walk has proved the tree, so nothing is checked and any oddity gives undefined. Only the walk's result counts.
 */
function peekValue(db, root, key) {
    return descend(db, root, (page, count, span) => {
        let chosen = 0;
        for (let i = 0; i < count; i++) {
            const at = elementKey(page, i, span);
            if (!at)
                return undefined;
            const c = compareBytes(page.bytes, at.off, at.len, key, 0, key.length);
            if (page.view.getUint16(8, true) === LEAF_PAGE) {
                if (c !== 0)
                    continue;
                const vLen = page.view.getUint32(PAGE_HEADER_SIZE + ELEMENT_SIZE * i + 12, true);
                const v = at.off + at.len;
                return v + vLen <= span ? page.bytes.slice(v, v + vLen) : undefined;
            }
            if (c <= 0)
                chosen = i;
        }
        return page.view.getUint16(8, true) === LEAF_PAGE ? undefined : chosen;
    });
}
function peekLastKey(db, root) {
    return descend(db, root, (page, count, span) => {
        if (count === 0)
            return undefined;
        if (page.view.getUint16(8, true) === BRANCH_PAGE)
            return count - 1;
        const at = elementKey(page, count - 1, span);
        return at ? page.bytes.slice(at.off, at.off + at.len) : undefined;
    });
}
/** Whether the page at `root` (a bucket's root, leaf or branch) holds any element; undefined when it cannot be read. */
function pageHasElements(db, root) {
    const buf = new PageBuffer(db.pageSize);
    if (root < 2 || root >= db.pagesInFile)
        return undefined;
    if (db.file.read(buf.bytes, 0, db.pageSize, root * db.pageSize) < db.pageSize)
        return undefined;
    const flags = buf.view.getUint16(8, true);
    if (flags !== LEAF_PAGE && flags !== BRANCH_PAGE)
        return undefined;
    return buf.view.getUint16(10, true) > 0;
}
/**
 * Follows a path from `root`: `choose` gets each page read whole (with its overflow: `span` bytes) and returns the
 * element to go down into on a branch page, or the answer on a leaf.
 */
function descend(db, root, choose) {
    const buf = new PageBuffer(db.pageSize);
    let pgid = root;
    for (let depth = 0; depth < MAX_TREE_DEPTH; depth++) {
        if (pgid < 2 || pgid >= db.pagesInFile)
            return undefined;
        const pos = pgid * db.pageSize;
        if (db.file.read(buf.bytes, 0, db.pageSize, pos) < db.pageSize)
            return undefined;
        const flags = buf.view.getUint16(8, true);
        const count = buf.view.getUint16(10, true);
        const overflow = buf.view.getUint32(12, true);
        if ((flags !== LEAF_PAGE && flags !== BRANCH_PAGE) || pgid + overflow >= db.pagesInFile)
            return undefined;
        const span = (overflow + 1) * db.pageSize;
        if (span > MAX_PAGE_SPAN || PAGE_HEADER_SIZE + ELEMENT_SIZE * count > span)
            return undefined;
        if (overflow > 0) {
            // As readPage does: a damaged overflow field must not make a hint read (and hold) gigabytes.
            const need = packedSize(buf.view, db.pageSize);
            if (need < 0 || Math.ceil(need / db.pageSize) - 1 !== overflow)
                return undefined;
            buf.ensure(span, db.pageSize);
            if (db.file.read(buf.bytes, db.pageSize, span - db.pageSize, pos + db.pageSize) < span - db.pageSize)
                return undefined;
        }
        const next = choose(buf, count, span);
        if (flags === LEAF_PAGE || next === undefined)
            return next;
        pgid = readU64(buf.view, PAGE_HEADER_SIZE + ELEMENT_SIZE * next + 8);
    }
    return undefined;
}
/** Where element i's key lies in a page of `span` bytes, or undefined when it would run past the page. */
function elementKey(page, i, span) {
    const e = PAGE_HEADER_SIZE + ELEMENT_SIZE * i;
    const leaf = page.view.getUint16(8, true) === LEAF_PAGE;
    const off = e + page.view.getUint32(leaf ? e + 4 : e, true);
    const len = page.view.getUint32(leaf ? e + 8 : e + 4, true);
    return off + len <= span ? { off, len } : undefined;
}
// ---------------------------------------------------------------------------------------------------------------
// Freelist
/**
 * Read the freelist page and claim it and every page it lists. Ids must be sorted, unique and in 2..hwm-1, as
 * bbolt writes them. Returns the number of free pages.
 */
function readFreelist(db, pgid) {
    const buf = new reader_PageBuffer(db.pageSize);
    const overflow = readPage(db, buf, pgid, 'the meta freelist field');
    const pos = pgid * db.pageSize;
    const view = buf.view;
    const flags = view.getUint16(8, true);
    if (flags !== FREELIST_PAGE)
        corrupt(`page ${pgid} (byte ${pos + 8}): freelist page flags ${hexU32(flags)}, expected 0x10`);
    db.pages.claim(pgid, overflow + 1, PAGE_FREELIST, `the freelist`);
    let count = view.getUint16(10, true);
    let first = PAGE_HEADER_SIZE;
    if (count === 0xffff) {
        count = readU64(view, PAGE_HEADER_SIZE);
        first += 8;
        if (count < 0)
            corrupt(`page ${pgid} (byte ${pos + 16}): freelist count out of range`);
    }
    const limit = (overflow + 1) * db.pageSize;
    if (first + count * 8 > limit)
        corrupt(`page ${pgid} (byte ${pos + 10}): freelist of ${count} ids does not fit in ${overflow + 1} pages`);
    let prev = 1;
    for (let i = 0; i < count; i++) {
        const at = first + i * 8;
        const id = readU64(view, at);
        if (id <= prev || id >= db.hwm) {
            corrupt(`page ${pgid} (byte ${pos + at}): free page id ${id < 0 ? 'out of range' : id} is not sorted, unique and within 2..${db.hwm - 1}`);
        }
        prev = id;
        db.pages.claim(id, 1, PAGE_FREE, `the freelist (entry ${i})`);
    }
    return count;
}

;// CONCATENATED MODULE: ./src/pipeline/snapshot-size.ts





/** bbolt's meta page: a 16-byte page header, then the magic, the version and the page size. */
const MAGIC_OFFSET = 16;
const PAGE_SIZE_OFFSET = 24;
/** The meta fields end here: page header, 64 bytes of meta. */
const META_END = 80;
/** bbolt's page sizes are at most 64 KiB, so both meta pages are in the first 128 KiB. */
const HEAD_LIMIT = 2 * 65536;
/**
 * bbolt's default AllocSize: once a member's db file is past it, bbolt grows the file to (high-water mark + 1) pages
 * plus 16 MiB at a time (ftruncate, so zeros), which a copy of member/snap/db keeps. `snapshot save` writes none.
 */
const BOLT_ALLOC_SIZE = 16 << 20;
/**
 * Passes the plaintext snapshot through and stops it the moment it is not what it says it is. A snapshot declares its
 * own size in its meta pages: high-water mark × page size, plus etcd's 32-byte sha256 trailer when it comes from
 * `snapshot save` (a copy of a member's db file has none). So the bytes a decompressor may produce are known after
 * the first two pages, and a bomb (a few MB of zstd or gzip that expand to gigabytes) is refused there instead of
 * filling the disk. A first page that is not bbolt is refused at once; a recorded size (the manifest's) bounds the
 * output from the first byte.
 */
class SnapshotSizeGuard extends external_node_stream_.Transform {
    name;
    head = [];
    decided = false;
    limit;
    why = '';
    total = 0;
    /** Where the pages the meta pages declare end (high-water mark × page size), once decided. */
    tailStart = Number.MAX_SAFE_INTEGER;
    /** Every byte from tailStart on has been zero so far (a raw member database's preallocation, not a trailer). */
    tailZero = true;
    pageSize = 0;
    /** With no smaller manifest bound: how far a zero tail (a copy of member/snap/db) may reach, and why. */
    zeroTailLimit;
    zeroTailWhy = '';
    /**
     * @param name the backup file's name, for messages
     * @param recordedSize the snapshot's size as the backup's manifest records it, trailer included
     */
    constructor(name, recordedSize) {
        super({ highWaterMark: 1 << 20 });
        this.name = name;
        if (recordedSize !== undefined) {
            this.limit = recordedSize;
            this.why = `the ${recordedSize} bytes its manifest records`;
        }
    }
    _transform(chunk, _encoding, callback) {
        const start = this.total;
        this.total += chunk.length;
        try {
            if (!this.decided)
                this.inspect(chunk);
            else
                this.scanTail(chunk, start);
            if (this.limit !== undefined && this.total > this.limit) {
                if (this.zeroTailLimit === undefined || !this.tailZero)
                    throw this.tooLarge();
                if (this.total > this.zeroTailLimit)
                    throw this.tooLarge(this.zeroTailWhy);
            }
        }
        catch (e) {
            callback(e);
            return;
        }
        callback(null, chunk);
    }
    _flush(callback) {
        if (!this.decided) {
            const what = this.total === 0 ? 'it is empty' : `it ends after ${this.total} bytes`;
            callback(this.refuse(`${what}, before bbolt's two meta pages are complete (truncated)`));
            return;
        }
        // Past the declared size only a raw database's zero preallocation may go, and bbolt grows files by whole pages.
        if (this.limit !== undefined && this.total > this.limit && this.total % this.pageSize !== 0) {
            callback(this.tooLarge());
            return;
        }
        callback();
    }
    /** Collects the first two pages, then derives the bound from them; clears `head` once decided. */
    inspect(chunk) {
        this.head.push(chunk);
        const head = this.head.length === 1 ? chunk : Buffer.concat(this.head);
        this.head = [head];
        if (head.length >= MAGIC_OFFSET + 4 && head.readUInt32LE(MAGIC_OFFSET) !== MAGIC) {
            throw this.refuse(`its first page is not bbolt (magic 0x${head.readUInt32LE(MAGIC_OFFSET).toString(16).padStart(8, '0')} at byte ${MAGIC_OFFSET}, expected 0xed0cdaed)`);
        }
        if (head.length < PAGE_SIZE_OFFSET + 4)
            return;
        const declared = head.readUInt32LE(PAGE_SIZE_OFFSET);
        if (!isValidPageSize(declared)) {
            throw this.refuse(`its first page declares page size ${declared}, which bbolt never writes`);
        }
        if (head.length < declared + META_END && head.length < HEAD_LIMIT)
            return;
        this.decide(head, declared);
        this.scanTail(head, 0);
        this.head = [];
        this.decided = true;
    }
    /** bbolt opens with the valid meta of the higher txid; either may be current, so the larger size is the bound. */
    decide(head, pageSize) {
        const buf = new reader_PageBuffer(head.length);
        buf.bytes.set(head);
        const metas = [parseMeta(buf, 0, 0, pageSize), parseMeta(buf, pageSize, 1, pageSize)];
        const valid = metas.filter(m => m.problems.length === 0);
        if (valid.length === 0)
            throw this.refuse(`neither meta page is intact: ${metas[0].problems[0]}`);
        const hwm = Math.max(...valid.map(m => m.hwm));
        const size = hwm * pageSize + TRAILER_SIZE;
        this.pageSize = pageSize;
        this.tailStart = hwm * pageSize;
        if (this.limit === undefined || size < this.limit) {
            this.limit = size;
            this.why = `the ${size} bytes its first page declares (high-water mark ${hwm} × page size ${pageSize} + ${TRAILER_SIZE}-byte trailer)`;
            // A copy of member/snap/db has no trailer but may end in bbolt's zero preallocation; nothing else may follow.
            this.zeroTailLimit = (hwm + 1) * pageSize + BOLT_ALLOC_SIZE;
            this.zeroTailWhy = `the ${this.zeroTailLimit} bytes a member's database file with its first page may hold (high-water mark ${hwm} + 1 pages × page size ${pageSize} + bbolt's ${BOLT_ALLOC_SIZE}-byte zero preallocation)`;
        }
    }
    /** Notes whether any byte at or after tailStart in `chunk` (which starts at output offset `start`) is not zero. */
    scanTail(chunk, start) {
        if (!this.tailZero || start + chunk.length <= this.tailStart)
            return;
        for (let i = Math.max(0, this.tailStart - start); i < chunk.length; i++) {
            if (chunk[i] !== 0) {
                this.tailZero = false;
                return;
            }
        }
    }
    tooLarge(why = this.why) {
        return new errors_VerificationError(`${this.name}: the unpacked snapshot grows past ${why}; stopped and removed (a decompression bomb or a damaged backup); use another backup`);
    }
    refuse(why) {
        return new errors_VerificationError(`${this.name} does not hold an etcd snapshot: ${why}; use another backup`);
    }
}

;// CONCATENATED MODULE: ./src/pipeline/zstd-frames.ts
/**
 * The frame boundaries of a zstd stream, found from its headers alone (RFC 8878 §3.1) as the bytes pass. node's zstd
 * decompressor stops at the first bytes after a frame that are not another frame and reports nothing, so a backup
 * with data appended to it would unpack as if whole; the gzip decompressor does the same with zero bytes. This walk
 * tells "the stream ends between frames" from "something follows the last frame" and from "it ends inside a frame".
 */
const ZSTD_MAGIC = 0xfd2fb528;
/** Skippable frames: magic 0x184D2A50..0x184D2A5F, a 4-byte length, that many bytes. */
const SKIPPABLE_MASK = 0xfffffff0;
const SKIPPABLE_MAGIC = 0x184d2a50;
const FCS_SIZES = [0, 2, 4, 8];
const DICT_ID_SIZES = [0, 1, 2, 4];
/** What `incomplete()` says of a stream that ends inside a frame. */
const ENDS_INSIDE_FRAME = 'it ends in the middle of the compressed stream (truncated)';
class ZstdFrameWalker {
    state = 'magic';
    /** Bytes of a fixed-size field (magic, block header, skippable size) gathered so far. */
    field = Buffer.alloc(4);
    fieldFilled = 0;
    /** Bytes to pass over in the 'header', 'body', 'checksum' and 'skip' states. */
    left = 0;
    lastBlock = false;
    checksum = false;
    offset = 0;
    /** Follows `chunk`; throws a one-line reason when bytes that are not zstd follow a frame. */
    feed(chunk) {
        let at = 0;
        while (at < chunk.length) {
            if (this.state === 'header' || this.state === 'body' || this.state === 'checksum' || this.state === 'skip') {
                const n = Math.min(this.left, chunk.length - at);
                at += n;
                this.left -= n;
                if (this.left === 0)
                    this.next();
                continue;
            }
            const size = this.state === 'descriptor' ? 1 : this.state === 'block' ? 3 : 4;
            const n = chunk.copy(this.field, this.fieldFilled, at, at + size - this.fieldFilled);
            at += n;
            this.fieldFilled += n;
            if (this.fieldFilled === size) {
                this.fieldFilled = 0;
                this.fieldDone(this.offset + at - size);
            }
        }
        this.offset += chunk.length;
    }
    /** Why the stream cannot be whole, or undefined when it ended right after a frame. */
    incomplete() {
        if (this.state === 'magic' && this.fieldFilled === 0)
            return undefined;
        if (this.state === 'magic')
            return `${this.fieldFilled} stray bytes follow the last zstd frame`;
        return ENDS_INSIDE_FRAME;
    }
    fieldDone(at) {
        switch (this.state) {
            case 'magic': {
                const magic = this.field.readUInt32LE(0);
                if (magic === ZSTD_MAGIC)
                    this.state = 'descriptor';
                else if ((magic & SKIPPABLE_MASK) >>> 0 === SKIPPABLE_MAGIC)
                    this.state = 'skippable-size';
                else
                    throw new Error(`data that is not zstd follows the last zstd frame (at byte ${at})`);
                return;
            }
            case 'descriptor': {
                const d = this.field[0];
                if (d & 0x08)
                    throw new Error(`a zstd frame header sets a reserved bit (byte ${at})`);
                const single = (d >> 5) & 1;
                const fcs = FCS_SIZES[d >> 6] || single;
                this.checksum = ((d >> 2) & 1) === 1;
                this.left = (single ? 0 : 1) + DICT_ID_SIZES[d & 3] + fcs;
                this.state = 'header';
                if (this.left === 0)
                    this.next();
                return;
            }
            case 'block': {
                const header = this.field.readUIntLE(0, 3);
                this.lastBlock = (header & 1) === 1;
                const type = (header >> 1) & 3;
                if (type === 3)
                    throw new Error(`a zstd block has the reserved type 3 (byte ${at})`);
                this.left = type === 1 ? 1 : header >>> 3;
                this.state = 'body';
                if (this.left === 0)
                    this.next();
                return;
            }
            case 'skippable-size':
                this.left = this.field.readUInt32LE(0);
                this.state = 'skip';
                if (this.left === 0)
                    this.next();
                return;
            default:
                return;
        }
    }
    /** The state after a variable-length part has been passed over. */
    next() {
        if (this.state === 'header') {
            this.state = 'block';
        }
        else if (this.state === 'body' && !this.lastBlock) {
            this.state = 'block';
        }
        else if (this.state === 'body' && this.checksum) {
            this.state = 'checksum';
            this.left = 4;
        }
        else {
            this.state = 'magic';
        }
    }
}

;// CONCATENATED MODULE: ./src/pipeline/unpack.ts
/**
 * The reverse of the backup pipeline: age-decrypt and decompress a backup file into a plaintext snapshot in one
 * streaming pass with constant memory. Each layer is recognised from the bytes themselves, not from the file name,
 * so a renamed file or one made by hand with `age` and `zstd` unpacks the same way.
 */











const AGE_PREFIX = Buffer.from('age-encryption.org/');
const AGE_ARMOR = Buffer.from('-----BEGIN AGE ENCRYPTED FILE-----');
const unpack_ZSTD_MAGIC = Buffer.from([0x28, 0xb5, 0x2f, 0xfd]);
const GZIP_MAGIC = Buffer.from([0x1f, 0x8b]);
/** bbolt's meta page: a 16-byte page header, then the magic 0xED0CDAED (little-endian on every etcd platform). */
const BOLT_MAGIC = Buffer.from([0xed, 0xda, 0x0c, 0xed]);
const BOLT_MAGIC_OFFSET = 16;
/** Enough bytes to tell every format apart. */
const SNIFF_BYTES = 64;
const READ_CHUNK = 1 << 20;
/** Names the format a file starts with. */
function detectLayer(head) {
    if (startsWith(head, AGE_PREFIX) || startsWith(head, AGE_ARMOR))
        return 'age';
    if (startsWith(head, unpack_ZSTD_MAGIC))
        return 'zstd';
    if (startsWith(head, GZIP_MAGIC))
        return 'gzip';
    if (head.length >= BOLT_MAGIC_OFFSET + 4 &&
        head.subarray(BOLT_MAGIC_OFFSET, BOLT_MAGIC_OFFSET + 4).equals(BOLT_MAGIC)) {
        return 'etcd-snapshot';
    }
    return 'unknown';
}
function startsWith(head, prefix) {
    return head.length >= prefix.length && head.subarray(0, prefix.length).equals(prefix);
}
/** The layers of a file, as far as they can be seen without a key: ['age'] for an encrypted one. */
async function detectFileLayer(file) {
    const handle = await openInput(file);
    try {
        const head = Buffer.alloc(SNIFF_BYTES);
        const { bytesRead } = await handle.read(head, 0, SNIFF_BYTES, 0);
        return detectLayer(head.subarray(0, bytesRead));
    }
    finally {
        await handle.close();
    }
}
async function openInput(file) {
    try {
        const handle = await external_node_fs_.promises.open(file, 'r');
        if (!(await handle.stat()).isFile()) {
            await handle.close();
            throw new errors_ConfigurationError(`${file} is not a regular file; give the path of the downloaded backup file`);
        }
        return handle;
    }
    catch (e) {
        if (e instanceof errors_ConfigurationError)
            throw e;
        const code = e.code;
        const why = code === 'ENOENT'
            ? 'does not exist'
            : code === 'EACCES'
                ? 'is not readable (permission denied)'
                : `cannot be read (${errors_errorMessage(e)})`;
        throw new errors_ConfigurationError(`${file} ${why}; give the path of the downloaded backup file`);
    }
}
/**
 * Decrypts and decompresses `input` into `output`. Nothing but a complete plaintext ever takes the output name:
 * a wrong key, a tampered or truncated file, corrupt compression, data appended after the compressed stream, output
 * that is not bbolt or grows past the size the snapshot declares (a decompression bomb), or a full disk remove the
 * partial file and throw one line (AgeError, VerificationError, OutputError).
 */
async function unpackBackup(options) {
    const outer = await detectFileLayer(options.input);
    const name = external_node_path_.basename(options.input);
    const layers = [];
    const inputDigest = new digest_StreamDigest();
    const stages = [inputDigest];
    if (outer === 'age') {
        if (!options.key) {
            throw new errors_AgeError(`${name} is age-encrypted; give the age identity (AGE-SECRET-KEY-1...) or the passphrase it was encrypted with`);
        }
        layers.push('age');
        stages.push(createDecryptStream(options.key));
        stages.push(external_node_stream_.Duplex.from(decompressStage(name, 'decrypted data', layers)));
    }
    else if (outer === 'unknown') {
        throw new errors_VerificationError(`${name} is not a backup file: it is neither age-encrypted, zstd, gzip nor an etcd snapshot`);
    }
    else {
        stages.push(external_node_stream_.Duplex.from(decompressStage(name, 'file', layers)));
    }
    const recorded = options.snapshotSize;
    stages.push(new SnapshotSizeGuard(name, Number.isSafeInteger(recorded) && recorded > 0 ? recorded : undefined));
    const output = options.output;
    const partial = partialPath(output);
    let created = false;
    const outputDigest = new digest_StreamDigest();
    try {
        // O_EXCL + O_NOFOLLOW: never write through a planted symlink or over a file that is already there.
        const handle = await external_node_fs_.promises.open(partial, external_node_fs_.constants.O_WRONLY | external_node_fs_.constants.O_CREAT | external_node_fs_.constants.O_EXCL | external_node_fs_.constants.O_NOFOLLOW, 0o600);
        created = true;
        const sink = (0,external_node_fs_.createWriteStream)('', { fd: handle, flush: true });
        await (0,promises_namespaceObject.pipeline)([(0,external_node_fs_.createReadStream)(options.input, { highWaterMark: READ_CHUNK }), ...stages, outputDigest, sink]);
        // link() refuses to replace an existing file, unlike rename().
        await external_node_fs_.promises.link(partial, output);
        await external_node_fs_.promises.unlink(partial);
    }
    catch (e) {
        if (created)
            await external_node_fs_.promises.rm(partial, { force: true });
        throw describeFailure(e, name, output, created);
    }
    const inputFacts = inputDigest.result();
    return { layers, inputSize: inputFacts.size, inputSha256: inputFacts.sha256, outputSize: outputDigest.result().size };
}
/** The stage after decryption: looks at the first bytes and decompresses zstd or gzip, or passes a snapshot through. */
function decompressStage(name, what, layers) {
    return async function* (source) {
        const iterator = source[Symbol.asyncIterator]();
        const headChunks = [];
        let headLength = 0;
        while (headLength < SNIFF_BYTES) {
            const next = await iterator.next();
            if (next.done)
                break;
            headChunks.push(next.value);
            headLength += next.value.length;
        }
        const head = Buffer.concat(headChunks);
        const rest = async function* () {
            if (head.length)
                yield head;
            for (;;) {
                const next = await iterator.next();
                if (next.done)
                    return;
                yield next.value;
            }
        };
        const layer = detectLayer(head);
        if (layer === 'etcd-snapshot') {
            yield* rest();
            return;
        }
        if (layer !== 'zstd' && layer !== 'gzip') {
            const shown = layer === 'age' ? 'another age file' : head.length === 0 ? 'empty' : 'neither zstd, gzip nor an etcd snapshot';
            throw new errors_VerificationError(`${name}: the ${what} is ${shown}; this is not a backup made by etcd-snapshot-action`);
        }
        layers.push(layer);
        const decompressor = createDecompressor(layer);
        const zstdFrames = layer === 'zstd' ? new ZstdFrameWalker() : undefined;
        let fed = 0;
        const counted = async function* () {
            for await (const chunk of rest()) {
                fed += chunk.length;
                try {
                    zstdFrames?.feed(chunk);
                }
                catch (e) {
                    throw compressedStreamEnd(name, errors_errorMessage(e));
                }
                yield chunk;
            }
            const incomplete = zstdFrames?.incomplete();
            if (incomplete)
                throw compressedStreamEnd(name, incomplete);
        };
        const feeding = (0,promises_namespaceObject.pipeline)(external_node_stream_.Readable.from(counted()), decompressor);
        // If iteration stops first (an error downstream), the feeding pipeline's own error is not the one to report.
        feeding.catch(() => undefined);
        for await (const chunk of decompressor)
            yield chunk;
        await feeding;
        // gzip stops at the end of its last member and ignores zero bytes after it (zstd ignores anything): what it did
        // not consume was appended.
        const unread = fed - decompressor.bytesWritten;
        if (unread > 0)
            throw compressedStreamEnd(name, `${unread} bytes follow the end of the ${layer} stream`);
    };
}
/** One line for a compressed stream that does not end where it should: inside a frame, or with data after it. */
function compressedStreamEnd(name, why) {
    const truncated = why === ENDS_INSIDE_FRAME;
    return new errors_VerificationError(`${name}: ${why}; ${truncated ? 'the backup was damaged before encryption or made incorrectly' : 'the file was altered or other data was appended to it'}, use another backup`);
}
function createDecompressor(layer) {
    const stream = layer === 'zstd'
        ? external_node_zlib_.createZstdDecompress({ chunkSize: READ_CHUNK })
        : external_node_zlib_.createGunzip({ chunkSize: READ_CHUNK });
    // zlib's own messages ("unexpected end of file") do not say which layer failed; tag its errors (codes Z_*,
    // ZSTD_*) for describeFailure, and leave errors from upstream (a failed decryption) as they are.
    return stream.on('error', (e) => {
        if (typeof e.code === 'string' && /^Z/.test(e.code))
            e.layer = layer;
    });
}
function describeFailure(e, name, output, created) {
    if (e instanceof errors_AgeError)
        return new errors_AgeError(`cannot decrypt ${name}: ${e.message}`);
    if (e instanceof errors_VerificationError || e instanceof errors_ConfigurationError)
        return e;
    const err = e;
    if (err.layer) {
        const truncated = /unexpected end of file/i.test(err.message);
        const detail = truncated
            ? 'it ends in the middle of the compressed stream (truncated)'
            : `corrupt ${err.layer} data (${err.message})`;
        return new errors_VerificationError(`${name}: ${detail}; the backup was damaged before encryption or made incorrectly, use another backup`);
    }
    const dir = external_node_path_.dirname(output);
    switch (err.code) {
        case 'ENOSPC':
        case 'EDQUOT':
            return new errors_OutputError(`no space left in ${dir} for the plaintext snapshot; free space or write it elsewhere (the partial file was removed)`);
        case 'EEXIST':
            return new errors_OutputError(`${created ? output : `${output}.partial`} already exists; remove it or choose another output path`);
        case 'ELOOP':
            return new errors_OutputError(`${output}.partial is a symbolic link; refusing to write through it`);
        case 'EACCES':
        case 'EPERM':
            return new errors_OutputError(`cannot write in ${dir} (permission denied); choose a writable directory`);
        case 'ENOENT':
            return new errors_OutputError(`cannot write ${output}: directory ${dir} does not exist`);
        default:
            return new errors_OutputError(`unpacking ${name} failed: ${errors_errorMessage(e).split('\n')[0]}`);
    }
}

// EXTERNAL MODULE: external "node:os"
var external_node_os_ = __nccwpck_require__(8161);
;// CONCATENATED MODULE: ./src/tempfiles.ts




/**
 * The private working directory: 0700, made with mkdtemp so nobody else can plant a file or a symlink in it.
 * The plaintext snapshot and credential files live only here, and the post step removes it whatever happened.
 */
async function makePrivateDir(parent = external_node_os_.tmpdir(), prefix = 'etcd-snapshot-') {
    const dir = await external_node_fs_.promises.mkdtemp(external_node_path_.join(parent, prefix));
    await external_node_fs_.promises.chmod(dir, 0o700);
    return dir;
}
/**
 * Writes a new 0600 file. O_EXCL refuses an existing file and O_NOFOLLOW a planted symlink, so a secret is never
 * written through a link or into someone else's file.
 */
async function writePrivateFile(file, data) {
    const handle = await fs.open(file, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
    try {
        await handle.writeFile(data);
    }
    finally {
        await handle.close();
    }
}
/** Removes a file or directory tree; a path that is already gone is not an error. */
async function removePath(target) {
    await external_node_fs_.promises.rm(target, { recursive: true, force: true });
}
/**
 * The paths this run created, each recorded once it exists (made with O_EXCL, mkdtemp or a mkdir of the leaf), so
 * that a cleanup removes those and never a path that was there before. Removal goes newest first.
 */
class CreatedPaths {
    paths = [];
    add(created) {
        this.paths.push(created);
    }
    /** A path handed over to the user (a finished file): no longer this run's to remove. */
    keep(kept) {
        const i = this.paths.lastIndexOf(kept);
        if (i >= 0)
            this.paths.splice(i, 1);
    }
    list() {
        return this.paths;
    }
    /** For a signal handler, which cannot wait. */
    removeAllSync() {
        for (const p of this.paths.splice(0).reverse())
            (0,external_node_fs_.rmSync)(p, { recursive: true, force: true });
    }
    async removeAll() {
        for (const p of this.paths.splice(0).reverse())
            await removePath(p);
    }
}
/**
 * Creates `final` from a file that `make` writes and checks at the path it is given, in a new 0700 dir beside
 * `final` (the same file system). Only a file `make` returned for takes the final name, by link(), which never
 * replaces anything; whatever fails, the staging dir goes and a path that was there before is not touched.
 */
async function createCheckedFile(final, make, opts) {
    const taken = () => new errors_OutputError(`${final} already exists; ${opts.whenTaken}`);
    // Refused before the work, which may take minutes; link() below is what guarantees it.
    if (await lstatOrUndefined(final))
        throw taken();
    let staging;
    try {
        staging = await makePrivateDir(external_node_path_.dirname(final), `.${external_node_path_.basename(final)}.partial-`);
    }
    catch (e) {
        throw new errors_OutputError(`cannot write in ${external_node_path_.dirname(final)}: ${errors_errorMessage(e)}`);
    }
    opts.created?.(staging);
    try {
        const staged = external_node_path_.join(staging, external_node_path_.basename(final));
        const result = await make(staged);
        try {
            await external_node_fs_.promises.link(staged, final);
        }
        catch (e) {
            if (e.code === 'EEXIST')
                throw taken();
            throw new errors_OutputError(`cannot create ${final}: ${errors_errorMessage(e)}`);
        }
        opts.created?.(final);
        return result;
    }
    finally {
        await removePath(staging);
    }
}
async function lstatOrUndefined(p) {
    return external_node_fs_.promises.lstat(p).catch((e) => {
        if (e.code === 'ENOENT')
            return undefined;
        throw new errors_OutputError(`cannot inspect ${p}: ${errors_errorMessage(e)}`);
    });
}

;// CONCATENATED MODULE: ./src/verify/crc32c.ts
/**
 * CRC-32C (Castagnoli), the checksum etcd uses for `snapshot status` and HashKV.
 *
 * The functions work on the raw register (Go's crc32.Update inverts before and after; callers start from
 * CRC32C_INIT and finish with `crc32cFinish`). Slicing-by-16 over aligned 32-bit words measured ~1.6 GB/s on this
 * machine in V8; the byte loop only handles the unaligned head and tail.
 *
 * `crc32cShift` advances a register over n zero bytes in O(log n) by multiplying with x^(8n) mod P. That makes CRC
 * linear algebra possible: the CRC of a stream with some pieces left out can be composed from registers recorded at
 * piece boundaries, which is how HashKV is computed in the same pass as the status hash.
 */
const POLY = 0x82f63b78; // reflected 0x1EDC6F41
/** 16 tables of 256 entries: TABLE[t*256 + b] is the register contribution of byte b followed by t zero bytes. */
const TABLE = buildTable();
function buildTable() {
    const t = new Int32Array(256 * 16);
    for (let i = 0; i < 256; i++) {
        let c = i;
        for (let k = 0; k < 8; k++)
            c = c & 1 ? (c >>> 1) ^ POLY : c >>> 1;
        t[i] = c;
    }
    for (let i = 0; i < 256; i++) {
        for (let s = 1; s < 16; s++) {
            const prev = t[(s - 1) * 256 + i];
            t[s * 256 + i] = (prev >>> 8) ^ t[prev & 0xff];
        }
    }
    return t;
}
const CRC32C_INIT = 0xffffffff | 0;
/** The final CRC value (as Go's Sum32 returns it) from a register. */
function crc32cFinish(register) {
    return ~register >>> 0;
}
/**
 * Advance `register` over bytes[start, end). `words` must be an Int32Array view of the same memory as `bytes`
 * starting at a 4-byte aligned address (both views of one ArrayBuffer at byteOffset 0 is the usual case).
 */
function crc32cUpdate(register, bytes, words, start, end) {
    const T = TABLE;
    let c = register | 0;
    let i = start;
    const base = bytes.byteOffset - words.byteOffset;
    // Byte steps until the absolute address is 4-byte aligned.
    while (i < end && ((i + base) & 3) !== 0)
        c = T[(c ^ bytes[i++]) & 0xff] ^ (c >>> 8);
    const n16 = end - ((end - i) & 15);
    let w = (i + base) >> 2;
    while (i < n16) {
        const a = c ^ words[w];
        const b = words[w + 1];
        const d = words[w + 2];
        const e = words[w + 3];
        c =
            T[3840 + (a & 0xff)] ^
                T[3584 + ((a >>> 8) & 0xff)] ^
                T[3328 + ((a >>> 16) & 0xff)] ^
                T[3072 + (a >>> 24)] ^
                T[2816 + (b & 0xff)] ^
                T[2560 + ((b >>> 8) & 0xff)] ^
                T[2304 + ((b >>> 16) & 0xff)] ^
                T[2048 + (b >>> 24)] ^
                T[1792 + (d & 0xff)] ^
                T[1536 + ((d >>> 8) & 0xff)] ^
                T[1280 + ((d >>> 16) & 0xff)] ^
                T[1024 + (d >>> 24)] ^
                T[768 + (e & 0xff)] ^
                T[512 + ((e >>> 8) & 0xff)] ^
                T[256 + ((e >>> 16) & 0xff)] ^
                T[e >>> 24];
        i += 16;
        w += 4;
    }
    while (i < end)
        c = T[(c ^ bytes[i++]) & 0xff] ^ (c >>> 8);
    return c;
}
/** Byte-at-a-time update for small inputs that have no aligned word view (bucket names, test vectors). */
function crc32cUpdateBytes(register, bytes) {
    const T = TABLE;
    let c = register | 0;
    for (let i = 0; i < bytes.length; i++)
        c = T[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
    return c;
}
/** CRC-32C of a whole buffer, as Go's crc32.Checksum(data, castagnoli) returns it. */
function crc32c(bytes) {
    return crc32cFinish(crc32cUpdateBytes(CRC32C_INIT, bytes));
}
// ---------------------------------------------------------------------------------------------------------------
// GF(2) arithmetic modulo the CRC polynomial, reflected bit order (bit 31 is x^0).
/** a(x)·b(x) mod P. */
function mulMod(a, b) {
    let m = 0x80000000;
    let p = 0;
    a >>>= 0;
    b >>>= 0;
    while (m !== 0 && a !== 0) {
        if (a & m) {
            p ^= b;
            a = (a ^ m) >>> 0;
        }
        m >>>= 1;
        b = b & 1 ? (b >>> 1) ^ POLY : b >>> 1;
    }
    return p >>> 0;
}
/** X2N[k] = x^(2^k) mod P, for k < 64 (enough for any byte count below 2^53 times 8). */
const X2N = buildX2N();
function buildX2N() {
    const t = new Uint32Array(64);
    t[0] = 0x40000000; // x^1
    for (let k = 1; k < 64; k++)
        t[k] = mulMod(t[k - 1], t[k - 1]);
    return t;
}
/** The register after feeding `n` zero bytes into `register` (n < 2^53). */
function crc32cShift(register, n) {
    let p = 0x80000000; // x^0
    let k = 3; // x^(8n) = x^(n·2^3)
    while (n > 0) {
        if (n % 2 === 1)
            p = mulMod(X2N[k], p);
        n = Math.floor(n / 2);
        k++;
    }
    return mulMod(p, register) | 0;
}

;// CONCATENATED MODULE: ./src/verify/hashkv.ts
/**
 * etcd's MVCC HashByRev (mvcc/kvstore.go in 3.4, server/storage/mvcc/hash.go in 3.5+), computed from a snapshot:
 *
 *   h = crc32c("key"); for each (k, v) in the key bucket, in order:
 *     skip if k.main > rev
 *     skip if k.main <= compactRev and keep is non-empty and k is not in keep
 *     h.write(k); h.write(v)
 *
 * where keep = kvindex.Keep(rev): for each user key, its latest revision <= rev, unless that is a tombstone (what
 * compacting at rev would keep). The member's compactRev is its scheduled compaction (updateCompactRev sets it
 * before the backend deletes anything). Since etcd 3.4.34, 3.5.16 and 3.6 the hasher also skips, keep or no keep,
 * a tombstone whose main revision equals compactRev: those releases' compaction keeps it in the backend (older ones
 * removed it), and the hash must stay what older releases compute.
 *
 * Whether an entry at or below compactRev is kept is known only once every later revision has been seen, so this
 * records the CRC register before each such entry (8 bytes per entry) and composes the final CRC from runs of kept
 * entries with crc32cShift: one shift per run, no second read of the file. Entries above compactRev are always
 * hashed and form one run.
 */

const CHUNK_BITS = 16;
const CHUNK = 1 << CHUNK_BITS;
/** Whether etcd hashes an entry at or below the compact revision. */
const KEPT = 0;
/** Not in keep: skipped unless keep is empty (etcd's `len(keep) > 0` guard). */
const DROPPED_BY_KEEP = 1;
/** A tombstone at exactly the compact revision: skipped even with an empty keep. */
const ALWAYS_DROPPED = 2;
const KEY_BUCKET_NAME = new TextEncoder().encode('key');
/** HashKV's register after the bucket name, where its entries begin. */
const KEY_BUCKET_NAME_REGISTER = crc32cUpdateBytes(CRC32C_INIT, KEY_BUCKET_NAME);
class HashKvRecorder {
    compactRevision;
    revision;
    regs = [];
    lens = [];
    /** Per entry: KEPT, DROPPED_BY_KEEP or ALWAYS_DROPPED. */
    dropped = [];
    /** Entries at or below the compact revision recorded so far. */
    count = 0;
    /** Entries recorded as ALWAYS_DROPPED (tombstones at the compact revision). */
    alwaysDropped = 0;
    leEndRegister = 0;
    gtStartRegister = 0;
    gtLength = 0;
    endRegister = 0;
    totalLength = 0;
    startRegister = 0;
    /**
     * @param compactRevision the member's compact revision (-1 when never compacted)
     * @param revision the revision to hash; entries above it are ignored (Number.MAX_SAFE_INTEGER: all of them)
     */
    constructor(compactRevision, revision) {
        this.compactRevision = compactRevision;
        this.revision = revision;
    }
    /** The status stream's register right after the bucket name "key": where the key bucket's entries begin. */
    begin(register) {
        this.startRegister = register;
        this.leEndRegister = register;
        this.gtStartRegister = register;
        this.endRegister = register;
    }
    /**
     * Record an entry (its bytes ran from register `before` to `after` in the status stream). `tombstone`: etcd never
     * keeps it at or below the compact revision, and skips it even with an empty keep at exactly the compact revision.
     * Returns the entry's ordinal when it lies at or below the compact revision (callers may later `drop` it), else -1.
     */
    add(main, before, after, length, tombstone) {
        if (main > this.revision)
            return -1;
        this.endRegister = after;
        this.totalLength += length;
        if (main > this.compactRevision) {
            if (this.gtLength === 0)
                this.gtStartRegister = before;
            this.gtLength += length;
            return -1;
        }
        const ord = this.count++;
        const c = ord >>> CHUNK_BITS;
        if (c === this.regs.length) {
            this.regs.push(new Int32Array(CHUNK));
            this.lens.push(new Uint32Array(CHUNK));
            this.dropped.push(new Uint8Array(CHUNK));
        }
        const i = ord & (CHUNK - 1);
        this.regs[c][i] = before;
        this.lens[c][i] = length;
        const always = tombstone && main === this.compactRevision;
        if (always)
            this.alwaysDropped++;
        this.dropped[c][i] = always ? ALWAYS_DROPPED : tombstone ? DROPPED_BY_KEEP : KEPT;
        this.leEndRegister = after;
        return ord;
    }
    /** The entry is not in keep (a later revision of its key exists at or below `revision`). */
    drop(ordinal) {
        const chunk = this.dropped[ordinal >>> CHUNK_BITS];
        const i = ordinal & (CHUNK - 1);
        if (chunk[i] === KEPT)
            chunk[i] = DROPPED_BY_KEEP;
    }
    /** Bytes of memory held (for reporting). */
    get memoryBytes() {
        return this.regs.length * CHUNK * 9;
    }
    /**
     * The hash. `keepIsEmpty`: no user key is live at `revision`, in which case etcd filters nothing (its
     * `len(keep) > 0` guard) but tombstones at the compact revision. `initial`: the HashKV register before the recorded entries (default: right after the
     * bucket name; in split mode, after the compacted survivors).
     */
    finish(keepIsEmpty, revision = this.revision, initial = KEY_BUCKET_NAME_REGISTER) {
        let s;
        if (this.count === 0 || (keepIsEmpty && this.alwaysDropped === 0)) {
            s = crc32cShift(initial ^ this.startRegister, this.totalLength) ^ this.endRegister;
        }
        else {
            s = initial;
            let runStart = -1;
            let runLength = 0;
            for (let ord = 0; ord <= this.count; ord++) {
                const atEnd = ord === this.count;
                const flag = atEnd ? ALWAYS_DROPPED : this.dropped[ord >>> CHUNK_BITS][ord & (CHUNK - 1)];
                const kept = flag === KEPT || (keepIsEmpty && flag === DROPPED_BY_KEEP);
                if (kept) {
                    if (runStart < 0)
                        runStart = ord;
                    runLength += this.lens[ord >>> CHUNK_BITS][ord & (CHUNK - 1)];
                    continue;
                }
                if (runStart >= 0) {
                    const startReg = this.regs[runStart >>> CHUNK_BITS][runStart & (CHUNK - 1)];
                    const endReg = atEnd ? this.leEndRegister : this.regs[ord >>> CHUNK_BITS][ord & (CHUNK - 1)];
                    s = crc32cShift(s ^ startReg, runLength) ^ endReg;
                    runStart = -1;
                    runLength = 0;
                }
            }
            if (this.gtLength > 0)
                s = crc32cShift(s ^ this.gtStartRegister, this.gtLength) ^ this.endRegister;
        }
        return { hash: crc32cFinish(s), revision, compactRevision: this.compactRevision };
    }
}

;// CONCATENATED MODULE: ./src/wire/protobuf.ts
/**
 * Strict protobuf reading for the messages etcd stores. etcd marshals with gogo-protobuf: fields in field-number
 * order, zero scalars and empty bytes omitted, minimal varints. Anything else in a stored value is damage, so the
 * reader rejects it instead of tolerating it the way a general-purpose decoder would.
 */
/** Result of the last readVarint: the value (exact below 2^53) and whether it is exact. */
const varint = { value: 0, exact: true };
/**
 * Read a varint at bytes[pos] (not past `end`). Returns the position after it, or a negative code:
 * -1 truncated, -2 longer than 10 bytes or above 2^64, -3 not minimally encoded.
 */
function readVarint(bytes, pos, end) {
    let b = pos < end ? bytes[pos] : -1;
    if (b < 0)
        return -1;
    if (b < 0x80) {
        varint.value = b;
        varint.exact = true;
        return pos + 1;
    }
    let value = b & 0x7f;
    let scale = 128;
    let i = pos + 1;
    for (let n = 1;; n++) {
        if (i >= end)
            return -1;
        b = bytes[i++];
        if (n === 9 && b > 1)
            return -2;
        value += (b & 0x7f) * scale;
        if (b < 0x80) {
            if (b === 0)
                return -3;
            varint.value = value;
            varint.exact = value <= Number.MAX_SAFE_INTEGER;
            return i;
        }
        if (n === 9)
            return -2;
        scale *= 128;
    }
}
function varintProblem(code) {
    if (code === -1)
        return 'truncated varint';
    if (code === -2)
        return 'varint longer than 10 bytes';
    return 'varint not minimally encoded';
}
const WIRE_VARINT = 0;
const WIRE_LEN = 2;
/**
 * Check bytes[start, end) is a canonically encoded message of `rules`; returns a problem or ''. Fills `found` with
 * the top-level fields when given.
 */
function checkMessage(bytes, start, end, rules, found) {
    let pos = start;
    let lastField = 0;
    while (pos < end) {
        const tagAt = pos;
        pos = readVarint(bytes, pos, end);
        if (pos < 0)
            return `${varintProblem(pos)} in a field tag at +${tagAt - start}`;
        const tag = varint.value;
        const n = Math.floor(tag / 8);
        const wire = tag % 8;
        const rule = rules.find(r => r.n === n);
        if (!rule)
            return `unknown field ${n} (tag ${tag}) at +${tagAt - start}`;
        if (rule.wire !== wire)
            return `field ${n} has wire type ${wire}, expected ${rule.wire}, at +${tagAt - start}`;
        if (n < lastField || (n === lastField && !rule.repeated))
            return `field ${n} out of order or repeated at +${tagAt - start}`;
        lastField = n;
        pos = readVarint(bytes, pos, end);
        if (pos < 0)
            return `${varintProblem(pos)} in field ${n} at +${tagAt - start}`;
        const v = varint.value;
        if (wire === WIRE_VARINT) {
            if (v === 0 && !rule.repeated)
                return `field ${n} encodes a zero value (etcd omits those) at +${tagAt - start}`;
            if (rule.max !== undefined && v > rule.max)
                return `field ${n} value ${v} is out of range at +${tagAt - start}`;
            found?.values.set(n, v);
        }
        else {
            if (!varint.exact || v > end - pos)
                return `field ${n} length ${v} runs past the end at +${tagAt - start}`;
            if (v === 0 && !rule.repeated && !rule.message)
                return `field ${n} is empty (etcd omits those) at +${tagAt - start}`;
            if (rule.message) {
                const inner = checkMessage(bytes, pos, pos + v, rule.message);
                if (inner)
                    return `in field ${n}: ${inner}`;
            }
            found?.bytes.set(n, [pos, pos + v]);
            pos += v;
        }
    }
    return '';
}
/** The varint encoding of a non-negative integer: a number below 2^53, or a bigint below 2^64 (ids, raw values). */
function encodeVarint(value) {
    let rest = BigInt(value);
    if (rest < 0n || rest >= 1n << 64n)
        throw new RangeError(`${value} does not fit a uint64 varint`);
    const bytes = [];
    while (rest >= 0x80n) {
        bytes.push(Number(rest & 0x7fn) | 0x80);
        rest >>= 7n;
    }
    bytes.push(Number(rest));
    return Buffer.from(bytes);
}
/** A varint field; proto3 leaves zero out, so a zero value encodes as nothing. */
function varintField(n, value) {
    if (BigInt(value) === 0n)
        return Buffer.alloc(0);
    return Buffer.concat([encodeVarint(n * 8 + WIRE_VARINT), encodeVarint(value)]);
}
/** A length-delimited field: bytes, a string (UTF-8) or an embedded message. */
function lengthField(n, payload) {
    const bytes = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
    return Buffer.concat([encodeVarint(n * 8 + WIRE_LEN), encodeVarint(bytes.length), bytes]);
}
/**
 * The fields of a message a peer sent (a gRPC reply), in order, for the caller to pick from; unlike checkMessage it
 * skips fields and wire types it does not know, as protobuf requires of a reader. Throws on bytes that are not a
 * message.
 */
function readFields(bytes, start = 0, end = bytes.length) {
    const fields = [];
    let pos = start;
    while (pos < end) {
        const tagAt = pos;
        pos = readVarint(bytes, pos, end);
        if (pos < 0)
            throw new Error(`${varintProblem(pos)} in a field tag at +${tagAt - start}`);
        const n = Math.floor(varint.value / 8);
        const wire = varint.value % 8;
        if (wire === WIRE_VARINT) {
            const valueAt = pos;
            pos = readVarint(bytes, pos, end);
            if (pos < 0)
                throw new Error(`${varintProblem(pos)} in field ${n} at +${tagAt - start}`);
            fields.push({ n, wire, value: varint.exact ? BigInt(varint.value) : decodeVarint64(bytes, valueAt) });
        }
        else if (wire === WIRE_LEN) {
            pos = readVarint(bytes, pos, end);
            if (pos < 0 || !varint.exact || varint.value > end - pos)
                throw new Error(`field ${n} length runs past the end at +${tagAt - start}`);
            fields.push({ n, wire, start: pos, end: pos + varint.value });
            pos += varint.value;
        }
        else if (wire === 1 || wire === 5) {
            pos += wire === 1 ? 8 : 4;
            if (pos > end)
                throw new Error(`field ${n} runs past the end at +${tagAt - start}`);
        }
        else {
            throw new Error(`field ${n} has wire type ${wire}, which no message of etcd's uses, at +${tagAt - start}`);
        }
    }
    return fields;
}
/** A varint readVarint has accepted, exactly, past 2^53 too. */
function decodeVarint64(bytes, pos) {
    let value = 0n;
    for (let shift = 0n;; shift += 7n) {
        const b = bytes[pos++];
        value |= BigInt(b & 0x7f) << shift;
        if (b < 0x80)
            return value;
    }
}
/**
 * A varint that arrives a byte at a time, across the chunks of a stream (the snapshot stream's parser): `add` each
 * byte until it returns true, then read `value`.
 */
class VarintAccumulator {
    value = 0;
    scale = 1;
    reset() {
        this.value = 0;
        this.scale = 1;
    }
    /** Adds the next byte; true when it was the last. Throws past ten bytes. */
    add(byte) {
        this.value += (byte & 0x7f) * this.scale;
        this.scale *= 0x80;
        if (byte < 0x80)
            return true;
        if (this.scale > 2 ** 70)
            throw new Error('varint longer than 10 bytes');
        return false;
    }
}

;// CONCATENATED MODULE: ./src/verify/printable.ts
/**
 * Names taken from a snapshot (bucket names, keys) or typed by a user end up on a terminal. Control characters in
 * them (C0, DEL, C1: the bytes of escape sequences) are written as \xNN so they are shown, never obeyed.
 */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;
const DEL_AND_C1 = /[\u007f-\u009f]/g;
/** The text with every control character (newlines too) written as \xNN. */
function printable(text) {
    return text.replace(CONTROL, c => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}
/** The text in double quotes, with a quote or backslash in it escaped and control characters as \xNN. */
function quoted(text) {
    return `"${printable(text.replace(/[\\"]/g, c => `\\${c}`))}"`;
}
/**
 * JSON for a terminal: JSON.stringify escapes C0 controls but leaves DEL and C1 as they are; those become \u00NN,
 * which parses back to the same string.
 */
function terminalJson(value) {
    return JSON.stringify(value, null, 2).replace(DEL_AND_C1, c => `\\u00${c.charCodeAt(0).toString(16)}`);
}

;// CONCATENATED MODULE: ./src/verify/schema.ts
/**
 * etcd's schema inside the bbolt file (the same in 3.4, 3.5 and 3.6): which buckets exist, how revision keys and
 * mvccpb.KeyValue values are encoded, and what the small bookkeeping buckets hold.
 */


const KEY_BUCKET = 'key';
const META_BUCKET = 'meta';
const LEASE_BUCKET = 'lease';
/** Every top-level bucket etcd 3.4–3.6 creates (server/storage/schema/bucket.go). */
const ETCD_BUCKETS = [
    'key',
    'meta',
    'lease',
    'alarm',
    'cluster',
    'members',
    'members_removed',
    'auth',
    'authUsers',
    'authRoles'
];
/** Buckets every etcd data file has: without them it is not an etcd backend. */
const REQUIRED_BUCKETS = ['key', 'meta'];
/** A revision key: 8-byte big-endian main, '_', 8-byte big-endian sub, and 't' for a tombstone. */
const REVISION_KEY_SIZE = 17;
const TOMBSTONE_KEY_SIZE = 18;
const REVISION_SEPARATOR = 0x5f; // '_'
const TOMBSTONE_MARK = 0x74; // 't'
/** Parsed revision key (module-level result to keep the hot loop allocation-free). */
const revisionKey = { main: 0, sub: 0, tombstone: false };
function readBigEndian63(bytes, off) {
    const hi = ((bytes[off] << 24) | (bytes[off + 1] << 16) | (bytes[off + 2] << 8) | bytes[off + 3]) >>> 0;
    const lo = ((bytes[off + 4] << 24) | (bytes[off + 5] << 16) | (bytes[off + 6] << 8) | bytes[off + 7]) >>> 0;
    if (hi >= 0x200000)
        return -1;
    return hi * 0x100000000 + lo;
}
/** Parse a `key` bucket key into revisionKey; returns a problem or ''. */
function parseRevisionKey(bytes, off, len) {
    if (len !== REVISION_KEY_SIZE && len !== TOMBSTONE_KEY_SIZE) {
        return `revision key is ${len} bytes, expected 17 (or 18 for a tombstone)`;
    }
    if (bytes[off + 8] !== REVISION_SEPARATOR)
        return `revision key byte 8 is ${bytes[off + 8]}, expected '_'`;
    if (len === TOMBSTONE_KEY_SIZE && bytes[off + 17] !== TOMBSTONE_MARK) {
        return `18-byte revision key ends in ${bytes[off + 17]}, expected 't' (tombstone mark)`;
    }
    const main = readBigEndian63(bytes, off);
    const sub = readBigEndian63(bytes, off + 9);
    if (main < 1)
        return main < 0 ? 'main revision out of range' : 'main revision 0 (revisions start at 1)';
    if (sub < 0)
        return 'sub revision out of range';
    revisionKey.main = main;
    revisionKey.sub = sub;
    revisionKey.tombstone = len === TOMBSTONE_KEY_SIZE;
    return '';
}
/** The fields of an mvccpb.KeyValue (module-level result, reused). */
const keyValue = {
    keyOff: 0,
    keyLen: 0,
    createRevision: 0,
    modRevision: 0,
    version: 0,
    valueOff: 0,
    valueLen: 0,
    /** Lease id present (any non-zero int64). */
    hasLease: false,
    /** Number of fields present, for the tombstone check. */
    fields: 0
};
const KV_TAGS = [0, 0x0a, 0x10, 0x18, 0x20, 0x2a, 0x30];
/**
 * Decode an mvccpb.KeyValue {key=1 bytes, create_revision=2, mod_revision=3, version=4 int64, value=5 bytes,
 * lease=6 int64} strictly (gogo order, no zero/empty fields, minimal varints). Returns a problem or ''.
 */
function decodeKeyValue(bytes, start, end) {
    const kv = keyValue;
    kv.keyLen = 0;
    kv.createRevision = 0;
    kv.modRevision = 0;
    kv.version = 0;
    kv.valueLen = 0;
    kv.hasLease = false;
    kv.fields = 0;
    let pos = start;
    let last = 0;
    while (pos < end) {
        const at = pos - start;
        const tag = bytes[pos];
        // Every KeyValue tag is one byte; find its field number from the table.
        const n = tag >> 3;
        if (n < 1 || n > 6 || KV_TAGS[n] !== tag)
            return `KeyValue: unexpected tag 0x${tag.toString(16)} at value byte ${at}`;
        if (n <= last)
            return `KeyValue: field ${n} after field ${last} at value byte ${at} (out of order or repeated)`;
        last = n;
        kv.fields++;
        pos = readVarint(bytes, pos + 1, end);
        if (pos < 0)
            return `KeyValue: ${varintProblem(pos)} in field ${n} at value byte ${at}`;
        const v = varint.value;
        if (n === 1 || n === 5) {
            if (!varint.exact || v > end - pos)
                return `KeyValue: field ${n} length ${v} runs past the value's end (value byte ${at})`;
            if (v === 0)
                return `KeyValue: empty field ${n} at value byte ${at} (etcd omits empty fields)`;
            if (n === 1) {
                kv.keyOff = pos;
                kv.keyLen = v;
            }
            else {
                kv.valueOff = pos;
                kv.valueLen = v;
            }
            pos += v;
        }
        else {
            if (v === 0)
                return `KeyValue: zero field ${n} at value byte ${at} (etcd omits zero fields)`;
            if (n === 6) {
                kv.hasLease = true;
            }
            else {
                if (!varint.exact)
                    return `KeyValue: field ${n} value out of range (negative or beyond 2^53) at value byte ${at}`;
                if (n === 2)
                    kv.createRevision = v;
                else if (n === 3)
                    kv.modRevision = v;
                else
                    kv.version = v;
            }
        }
    }
    if (kv.keyLen === 0)
        return 'KeyValue: no key field';
    return '';
}
// ---------------------------------------------------------------------------------------------------------------
// The small buckets
const LEASE = [
    { n: 1, wire: WIRE_VARINT },
    { n: 2, wire: WIRE_VARINT },
    { n: 3, wire: WIRE_VARINT }
];
const PERMISSION = [
    { n: 1, wire: WIRE_VARINT, max: 2 },
    { n: 2, wire: WIRE_LEN },
    { n: 3, wire: WIRE_LEN }
];
const ROLE = [
    { n: 1, wire: WIRE_LEN },
    { n: 2, wire: WIRE_LEN, repeated: true, message: PERMISSION }
];
const USER_OPTIONS = [{ n: 1, wire: WIRE_VARINT, max: 1 }];
const USER = [
    { n: 1, wire: WIRE_LEN },
    { n: 2, wire: WIRE_LEN },
    { n: 3, wire: WIRE_LEN, repeated: true },
    { n: 4, wire: WIRE_LEN, message: USER_OPTIONS }
];
const ALARM_MEMBER = [
    { n: 1, wire: WIRE_VARINT },
    { n: 2, wire: WIRE_VARINT, max: 2 }
];
const latin1 = (bytes, start, end) => Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start).toString('latin1');
const utf8 = (bytes, start, end) => Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start).toString('utf8');
function sameBytes(bytes, aStart, aEnd, bStart, bEnd) {
    if (aEnd - aStart !== bEnd - bStart)
        return false;
    for (let i = 0; i < aEnd - aStart; i++)
        if (bytes[aStart + i] !== bytes[bStart + i])
            return false;
    return true;
}
function isJson(text) {
    try {
        JSON.parse(text);
        return true;
    }
    catch {
        return false;
    }
}
function fixedLength(len, want, what) {
    return len === want ? '' : `${what} is ${len} bytes, expected ${want}`;
}
function readBigEndianU64(bytes, off) {
    return readBigEndian63(bytes, off);
}
/**
 * Check one entry of a bookkeeping bucket (everything but `key`); returns a problem or ''. Records facts.
 * Unknown keys are damage: every key etcd 3.4–3.6 writes is listed here.
 */
function checkBookkeepingEntry(bucket, bytes, kStart, kLen, vStart, vLen, facts) {
    const kEnd = kStart + kLen;
    const vEnd = vStart + vLen;
    const key = latin1(bytes, kStart, kEnd);
    switch (bucket) {
        case 'meta': {
            const meta = facts.meta;
            switch (key) {
                case 'consistent_index':
                case 'term': {
                    const p = fixedLength(vLen, 8, `meta ${key}`);
                    if (p)
                        return p;
                    const v = readBigEndianU64(bytes, vStart);
                    if (v < 0)
                        return `meta ${key} is out of range`;
                    if (key === 'term')
                        meta.term = v;
                    else
                        meta.consistentIndex = v;
                    return '';
                }
                case 'scheduledCompactRev':
                case 'finishedCompactRev': {
                    const p = fixedLength(vLen, REVISION_KEY_SIZE, `meta ${key}`);
                    if (p)
                        return p;
                    const problem = parseRevisionKey(bytes, vStart, vLen);
                    if (problem)
                        return `meta ${key}: ${problem}`;
                    if (revisionKey.sub !== 0)
                        return `meta ${key} has sub revision ${revisionKey.sub}, expected 0`;
                    if (key === 'scheduledCompactRev')
                        meta.scheduledCompactRevision = revisionKey.main;
                    else
                        meta.finishedCompactRevision = revisionKey.main;
                    return '';
                }
                case 'confState':
                    return isJson(utf8(bytes, vStart, vEnd)) ? '' : 'meta confState is not JSON';
                case 'storageVersion': {
                    const v = latin1(bytes, vStart, vEnd);
                    if (!/^\d+\.\d+(\.\d+)?$/.test(v))
                        return `meta storageVersion ${quoted(v)} is not a version`;
                    meta.storageVersion = v;
                    return '';
                }
                default:
                    return `unknown meta key ${quoted(key)}`;
            }
        }
        case 'lease': {
            if (kLen !== 8)
                return `lease key is ${kLen} bytes, expected an 8-byte lease id`;
            const found = { bytes: new Map(), values: new Map() };
            const problem = checkMessage(bytes, vStart, vEnd, LEASE, found);
            if (problem)
                return `lease value: ${problem}`;
            // The lease id field must encode the same int64 as the key.
            const idPos = vStart + 1;
            if (vLen === 0 || bytes[vStart] !== 0x08)
                return 'lease value has no ID field';
            const after = readVarint(bytes, idPos, vEnd);
            if (after < 0)
                return 'lease ID unreadable';
            if (!sameLeaseId(bytes, kStart, idPos))
                return 'lease value ID differs from its key';
            facts.leases++;
            return '';
        }
        case 'alarm': {
            if (vLen !== 0)
                return `alarm value is ${vLen} bytes, expected empty`;
            const problem = checkMessage(bytes, kStart, kEnd, ALARM_MEMBER);
            if (problem)
                return `alarm key: ${problem}`;
            facts.alarms++;
            return '';
        }
        case 'cluster': {
            const v = latin1(bytes, vStart, vEnd);
            if (key === 'clusterVersion') {
                if (!/^\d+\.\d+\.\d+$/.test(v))
                    return `cluster version ${quoted(v)} is not a version`;
                facts.clusterVersion = v;
                return '';
            }
            if (key === 'downgrade')
                return isJson(utf8(bytes, vStart, vEnd)) ? '' : 'cluster downgrade info is not JSON';
            return `unknown cluster key ${quoted(key)}`;
        }
        case 'members': {
            if (!/^[0-9a-f]{1,16}$/.test(key))
                return `member key ${quoted(key)} is not a hex member id`;
            const text = utf8(bytes, vStart, vEnd);
            let parsed;
            try {
                parsed = JSON.parse(text);
            }
            catch {
                return `member ${key}: value is not JSON`;
            }
            if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
                return `member ${key}: value is not a JSON object`;
            // JSON numbers lose precision past 2^53, so compare the id as written.
            const id = /"id":(\d+)/.exec(text);
            if (!id || BigInt(id[1]) !== BigInt(`0x${key}`))
                return `member ${key}: id in the value does not match the key`;
            facts.members++;
            return '';
        }
        case 'members_removed': {
            if (!/^[0-9a-f]{1,16}$/.test(key))
                return `removed-member key ${quoted(key)} is not a hex member id`;
            if (latin1(bytes, vStart, vEnd) !== 'removed')
                return `removed member ${key}: value is not "removed"`;
            facts.removedMembers++;
            return '';
        }
        case 'auth': {
            if (key === 'authEnabled') {
                if (vLen !== 1 || bytes[vStart] > 1)
                    return 'auth authEnabled is not a single 0/1 byte';
                facts.authEnabled = bytes[vStart] === 1;
                return '';
            }
            if (key === 'authRevision') {
                const p = fixedLength(vLen, 8, 'auth authRevision');
                if (p)
                    return p;
                facts.authRevision = readBigEndianU64(bytes, vStart);
                return '';
            }
            return `unknown auth key ${quoted(key)}`;
        }
        case 'authUsers':
        case 'authRoles': {
            const found = { bytes: new Map(), values: new Map() };
            const rules = bucket === 'authUsers' ? USER : ROLE;
            const what = bucket === 'authUsers' ? 'user' : 'role';
            const problem = checkMessage(bytes, vStart, vEnd, rules, found);
            if (problem)
                return `${what} ${quoted(key)}: ${problem}`;
            const name = found.bytes.get(1);
            if (!name || !sameBytes(bytes, name[0], name[1], kStart, kEnd))
                return `${what} ${quoted(key)}: name field differs from the key`;
            if (bucket === 'authUsers')
                facts.users++;
            else
                facts.roles++;
            return '';
        }
        default:
            return `unknown bucket ${quoted(bucket)}`;
    }
}
/** Lease key (8-byte big-endian int64) vs the varint-encoded ID in the value. */
function sameLeaseId(bytes, keyStart, idPos) {
    let id = 0n;
    for (let i = 0; i < 8; i++)
        id = (id << 8n) | BigInt(bytes[keyStart + i]);
    return (decodeVarint64(bytes, idPos) & 0xffffffffffffffffn) === id;
}

;// CONCATENATED MODULE: ./src/verify/keyspace.ts


// ---------------------------------------------------------------------------------------------------------------
// Fingerprints: two murmur3-style 32-bit hashes with different seeds and constants.
const fingerprint = { a: 0, b: 0 };
function fmix(h) {
    h ^= h >>> 16;
    h = Math.imul(h, 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
    return h;
}
function fingerprintKey(bytes, start, len) {
    let h1 = 0x9747b28c | 0;
    let h2 = 0x5bd1e995 | 0;
    const end4 = start + (len & ~3);
    let i = start;
    for (; i < end4; i += 4) {
        const k = bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24);
        let k1 = Math.imul(k, 0xcc9e2d51);
        k1 = (k1 << 15) | (k1 >>> 17);
        h1 ^= Math.imul(k1, 0x1b873593);
        h1 = (h1 << 13) | (h1 >>> 19);
        h1 = (Math.imul(h1, 5) + 0xe6546b64) | 0;
        let k2 = Math.imul(k, 0x239b961b);
        k2 = (k2 << 16) | (k2 >>> 16);
        h2 ^= Math.imul(k2, 0xab0e9789);
        h2 = (h2 << 17) | (h2 >>> 15);
        h2 = (Math.imul(h2, 7) + 0x38b34ae5) | 0;
    }
    const tail = len & 3;
    if (tail > 0) {
        let t = bytes[i];
        if (tail > 1)
            t ^= bytes[i + 1] << 8;
        if (tail > 2)
            t ^= bytes[i + 2] << 16;
        let k1 = Math.imul(t, 0xcc9e2d51);
        h1 ^= Math.imul((k1 << 15) | (k1 >>> 17), 0x1b873593);
        k1 = Math.imul(t, 0x239b961b);
        h2 ^= Math.imul((k1 << 16) | (k1 >>> 16), 0xab0e9789);
    }
    fingerprint.a = fmix(h1 ^ len) >>> 0;
    fingerprint.b = fmix(h2 ^ Math.imul(len, 0x2545f491)) >>> 0;
}
// ---------------------------------------------------------------------------------------------------------------
// Per-key table
/**
 * Fields per slot (u32 each): fingerprint a, fingerprint b, create revision (low 32 bits), version, HashKV ordinal;
 * in split mode also the first post-compaction entry's version (0: a tombstone), create revision and main revision.
 */
const F_A = 0;
const F_B = 1;
const F_CREATE = 2;
const F_VERSION = 3;
const F_ORDINAL = 4;
const F_FIRST_VERSION = 5;
const F_FIRST_CREATE = 6;
const F_FIRST_MAIN = 7;
const WHOLE_STRIDE = 5;
const SPLIT_STRIDE = 8;
const F_USED = 1;
const F_ALIVE = 2;
const F_ENCRYPTED = 4;
/** Split mode: the key's first revision after the compaction continues a revision at or below it. */
const F_NEEDS_SURVIVOR = 8;
/** Split mode: the key has a revision after the compaction and at or below the HashKV revision. */
const F_TOUCHED = 16;
const NO_ORDINAL = 0xffffffff;
const PARTITION_BITS = 6;
const INITIAL_CAPACITY = 256;
const EMPTY = new Uint8Array(0);
class Partition {
    data;
    flags;
    mask;
    used = 0;
    constructor(capacity, stride) {
        this.data = new Uint32Array(capacity * stride);
        this.flags = new Uint8Array(capacity);
        this.mask = capacity - 1;
    }
}
/** Open addressing, linear probing, 64 partitions each grown on its own (at 3/4 load). */
class KeyTable {
    stride;
    parts;
    /** The partition of the last `slot`/`find` call. */
    part;
    /** Distinct user keys held. */
    size = 0;
    constructor(stride) {
        this.stride = stride;
        this.parts = Array.from({ length: 1 << PARTITION_BITS }, () => new Partition(INITIAL_CAPACITY, stride));
        this.part = this.parts[0];
    }
    /** Slot of the key with fingerprint (a, b) in `this.part`, inserted (flags = F_USED only) when absent. */
    slot(a, b) {
        const index = a >>> (32 - PARTITION_BITS);
        let part = this.parts[index];
        if ((part.used + 1) * 4 > (part.mask + 1) * 3)
            part = this.grow(index);
        this.part = part;
        const stride = this.stride;
        const data = part.data;
        const flags = part.flags;
        const mask = part.mask;
        let i = (b ^ Math.imul(a, 0x9e3779b1)) & mask;
        for (;;) {
            if (flags[i] === 0) {
                flags[i] = F_USED;
                data.fill(0, i * stride, i * stride + stride);
                data[i * stride + F_A] = a;
                data[i * stride + F_B] = b;
                data[i * stride + F_ORDINAL] = NO_ORDINAL;
                part.used++;
                this.size++;
                return i;
            }
            if (data[i * stride + F_A] === a && data[i * stride + F_B] === b)
                return i;
            i = (i + 1) & mask;
        }
    }
    /** Slot of the key in `this.part`, or -1. */
    find(a, b) {
        const part = this.parts[a >>> (32 - PARTITION_BITS)];
        this.part = part;
        const stride = this.stride;
        const data = part.data;
        const flags = part.flags;
        const mask = part.mask;
        let i = (b ^ Math.imul(a, 0x9e3779b1)) & mask;
        for (;;) {
            if (flags[i] === 0)
                return -1;
            if (data[i * stride + F_A] === a && data[i * stride + F_B] === b)
                return i;
            i = (i + 1) & mask;
        }
    }
    /** Call `fn(part, slot)` for every held key. */
    forEach(fn) {
        for (const part of this.parts)
            for (let i = 0; i <= part.mask; i++)
                if (part.flags[i] !== 0)
                    fn(part, i);
    }
    grow(index) {
        const old = this.parts[index];
        const stride = this.stride;
        const next = new Partition((old.mask + 1) * 2, stride);
        for (let i = 0; i <= old.mask; i++) {
            if (old.flags[i] === 0)
                continue;
            const a = old.data[i * stride + F_A];
            const b = old.data[i * stride + F_B];
            let j = (b ^ Math.imul(a, 0x9e3779b1)) & next.mask;
            while (next.flags[j] !== 0)
                j = (j + 1) & next.mask;
            next.flags[j] = old.flags[i];
            next.data.set(old.data.subarray(i * stride, i * stride + stride), j * stride);
        }
        next.used = old.used;
        this.parts[index] = next;
        return next;
    }
    get memoryBytes() {
        let n = 0;
        for (const p of this.parts)
            n += p.data.byteLength + p.flags.byteLength;
        return n;
    }
}
/** Kubernetes' envelope encryption marks values with this prefix. */
const ENCRYPTED_PREFIX = new TextEncoder().encode('k8s:enc:');
function isEncryptedValue(bytes, start, len) {
    if (len < ENCRYPTED_PREFIX.length)
        return false;
    for (let i = 0; i < ENCRYPTED_PREFIX.length; i++)
        if (bytes[start + i] !== ENCRYPTED_PREFIX[i])
            return false;
    return true;
}
class Keyspace {
    opts;
    /** All entries (puts and tombstones). */
    entries = 0;
    tombstones = 0;
    /** Live user keys now (after the last entry processed): 3.6 etcdutl's totalKey. */
    liveKeys = 0;
    /** Live keys at the HashKV revision. */
    liveAtHashRevision = -1;
    /** The newest revision key seen: `snapshot status` revision is its main. */
    lastMain = 0;
    lastSub = -1;
    table;
    stopped = false;
    /** Split mode, survivors: the last survivor revision, and the HashKV composition of the survivor stream. */
    survivorMain = 0;
    survivorSub = -1;
    survivorLive = 0;
    prefix = { start: 0, end: 0, length: 0, hash: 0, runStart: 0, runLength: 0, inRun: false };
    /** The survivors' HashKV composition when keep is empty (only tombstones at the compact revision skipped). */
    prefixKeepEmpty = { hash: 0, runStart: 0, runLength: 0, inRun: false };
    constructor(opts) {
        this.opts = opts;
        this.table = new KeyTable(opts.split ? SPLIT_STRIDE : WHOLE_STRIDE);
    }
    /**
     * An entry of the key bucket (in split mode, one above the compact revision): element i of `page`, whose bytes
     * moved the CRC register from `before` to `after`.
     */
    entry(page, i, before, after) {
        this.entries++;
        if (this.stopped)
            return;
        const bytes = page.buf.bytes;
        const kOff = page.keyOff[i];
        const kLen = page.keyLen[i];
        const vOff = kOff + kLen;
        const vLen = page.valLen[i];
        const opts = this.opts;
        const split = opts.split;
        const hashKv = opts.hashKv;
        if (page.flags[i] !== 0)
            return this.fail(page, i, 'nested bucket inside the key bucket');
        let p = parseRevisionKey(bytes, kOff, kLen);
        if (p)
            return this.fail(page, i, p);
        const main = revisionKey.main;
        const sub = revisionKey.sub;
        const tomb = revisionKey.tombstone;
        if (main < this.lastMain || (main === this.lastMain && sub <= this.lastSub)) {
            return this.fail(page, i, `revision ${main}_${sub} does not follow ${this.lastMain}_${this.lastSub} (duplicate or out of order)`);
        }
        if (split && main <= opts.compactRevision) {
            return this.fail(page, i, `revision ${main}_${sub} is among the revisions after the compaction at ${opts.compactRevision} (keys out of order)`);
        }
        // Above the compact revision nothing has been removed: every revision from there on is present (each write
        // transaction takes the next main revision) and a transaction's changes get subs 0, 1, 2, ...
        if (main > opts.compactRevision) {
            const floor = Math.max(opts.compactRevision, 1);
            const wantMain = this.lastMain > floor ? this.lastMain + 1 : floor + 1;
            if (main !== this.lastMain && main !== wantMain) {
                return this.fail(page, i, `revision ${main}_${sub} follows ${this.lastMain > floor ? `${this.lastMain}_${this.lastSub}` : `compact revision ${opts.compactRevision}`}: revision ${wantMain} is missing or the key is damaged`);
            }
            const want = main === this.lastMain ? this.lastSub + 1 : 0;
            if (sub !== want)
                return this.fail(page, i, `revision ${main}_${sub}: sub revision should be ${want} (a change of the transaction is missing or the key is damaged)`);
        }
        const prevMain = this.lastMain;
        this.lastMain = main;
        this.lastSub = sub;
        if (prevMain <= hashKv.revision && main > hashKv.revision)
            this.liveAtHashRevision = this.liveKeys;
        // `snapshot restore --bump-revision` (3.4.27+, 3.5.10+) writes an empty value at the bumped revision and marks
        // it compacted; etcd indexes it as the empty key.
        if (vLen === 0 && !tomb && sub === 0 && main <= opts.compactRevision)
            return this.bumpMarker(main, before, after, kLen);
        p = decodeKeyValue(bytes, vOff, vOff + vLen);
        if (p)
            return this.fail(page, i, `revision ${main}_${sub}: ${p}`);
        const kv = keyValue;
        if (tomb) {
            if (kv.fields !== 1)
                return this.fail(page, i, `tombstone ${main}_${sub} holds more than the key`);
            this.tombstones++;
        }
        else {
            if (kv.modRevision !== main)
                return this.fail(page, i, `revision ${main}_${sub}: mod_revision ${kv.modRevision} differs from the key's revision`);
            if (kv.createRevision < 1 || kv.createRevision > main)
                return this.fail(page, i, `revision ${main}_${sub}: create_revision ${kv.createRevision} is not in 1..${main}`);
            if (kv.version < 1)
                return this.fail(page, i, `revision ${main}_${sub}: version missing`);
        }
        fingerprintKey(bytes, kv.keyOff, kv.keyLen);
        const table = this.table;
        const stride = table.stride;
        const sizeBefore = table.size;
        const slot = table.slot(fingerprint.a, fingerprint.b);
        const part = table.part;
        const fresh = table.size !== sizeBefore;
        const flags = part.flags[slot];
        const base = slot * stride;
        const alive = (flags & F_ALIVE) !== 0;
        const atOrBelowCompact = main <= opts.compactRevision;
        // A finished compaction at C leaves per key only its latest revision at or below C, and no tombstone below C.
        // etcd 3.4.34+, 3.5.16+ and 3.6 keep a tombstone at exactly C (mvcc keyIndex.compact); older releases drop it.
        if (atOrBelowCompact && opts.compactionComplete && (!fresh || (tomb && main < opts.compactRevision))) {
            return this.fail(page, i, `revision ${main}_${sub} should have been removed by the finished compaction at ${opts.compactRevision}`);
        }
        const isCreation = !tomb && kv.version === 1 && kv.createRevision === main;
        // A key first seen after the compaction may continue a survivor at or below it (split mode checks that
        // survivor later); without split mode only a first revision at or below the compaction may lack a creation.
        const continuesSurvivor = fresh && split && !isCreation;
        let extra = 0;
        if (continuesSurvivor) {
            extra = F_NEEDS_SURVIVOR;
            part.data[base + F_FIRST_VERSION] = tomb ? 0 : kv.version;
            part.data[base + F_FIRST_CREATE] = tomb ? 0 : kv.createRevision >>> 0;
            part.data[base + F_FIRST_MAIN] = main >>> 0;
        }
        else if (split && fresh) {
            part.data[base + F_FIRST_VERSION] = 1;
        }
        const encrypted = !tomb && isEncryptedValue(bytes, kv.valueOff, kv.valueLen);
        if (tomb) {
            if (!alive && !continuesSurvivor && !(fresh && atOrBelowCompact))
                return this.fail(page, i, `tombstone ${main}_${sub} deletes a key that does not exist`);
            if (alive) {
                this.liveKeys--;
                opts.observer.removed(bytes, kv.keyOff, kv.keyLen, (flags & F_ENCRYPTED) !== 0);
            }
            part.flags[slot] = (flags & (F_NEEDS_SURVIVOR | F_TOUCHED)) | extra | F_USED;
        }
        else {
            const createLow = kv.createRevision >>> 0;
            if (alive) {
                const prevVersion = part.data[base + F_VERSION];
                if (kv.version !== prevVersion + 1 || createLow !== part.data[base + F_CREATE]) {
                    return this.fail(page, i, `revision ${main}_${sub}: version ${kv.version}/create_revision ${kv.createRevision} do not continue the key's history (version ${prevVersion} before)`);
                }
                if (((flags & F_ENCRYPTED) !== 0) !== encrypted)
                    opts.observer.reencrypted(bytes, kv.keyOff, kv.keyLen, encrypted);
            }
            else {
                // A creation: version 1 at its own revision, except where it continues a compacted survivor.
                if (!continuesSurvivor && !(fresh && atOrBelowCompact) && !isCreation) {
                    return this.fail(page, i, `revision ${main}_${sub}: creates the key with version ${kv.version}/create_revision ${kv.createRevision}, expected 1/${main}`);
                }
                this.liveKeys++;
                opts.observer.added(bytes, kv.keyOff, kv.keyLen, encrypted);
            }
            part.data[base + F_CREATE] = createLow;
            part.data[base + F_VERSION] = kv.version;
            part.flags[slot] =
                (flags & (F_NEEDS_SURVIVOR | F_TOUCHED)) | extra | F_USED | F_ALIVE | (encrypted ? F_ENCRYPTED : 0);
        }
        // HashKV keep set: only a key's latest non-tombstone revision at or below the hash revision is kept.
        if (main <= hashKv.revision) {
            if (split)
                part.flags[slot] |= F_TOUCHED;
            const prevOrd = part.data[base + F_ORDINAL];
            if (prevOrd !== NO_ORDINAL)
                hashKv.drop(prevOrd);
            const ord = hashKv.add(main, before, after, kLen + vLen, tomb);
            part.data[base + F_ORDINAL] = ord >= 0 && !tomb ? ord : NO_ORDINAL;
        }
    }
    /** The revision-bump marker: a live empty key with no history to check (etcdutl 3.6 counts it as a key too). */
    bumpMarker(main, before, after, length) {
        const table = this.table;
        const stride = table.stride;
        const sizeBefore = table.size;
        fingerprintKey(EMPTY, 0, 0);
        const slot = table.slot(fingerprint.a, fingerprint.b);
        const part = table.part;
        const base = slot * stride;
        if (table.size !== sizeBefore || (part.flags[slot] & F_ALIVE) === 0)
            this.liveKeys++;
        part.flags[slot] = F_USED | F_ALIVE;
        part.data[base + F_CREATE] = 0;
        part.data[base + F_VERSION] = 0;
        if (main <= this.opts.hashKv.revision) {
            const prevOrd = part.data[base + F_ORDINAL];
            if (prevOrd !== NO_ORDINAL)
                this.opts.hashKv.drop(prevOrd);
            const ord = this.opts.hashKv.add(main, before, after, length, false);
            part.data[base + F_ORDINAL] = ord >= 0 ? ord : NO_ORDINAL;
        }
    }
    /** End of the entries (in split mode, of those above the compaction). */
    finish() {
        if (this.liveAtHashRevision < 0)
            this.liveAtHashRevision = this.liveKeys;
    }
    // -------------------------------------------------------------------------------------------------------------
    // Split mode: the compacted survivors, after the entries above the compaction.
    /**
     * Start the survivors: `register` is the status CRC register where the key bucket's entries begin, and
     * `keyNameRegister` the HashKV register after the bucket name.
     */
    beginSurvivors(register, keyNameRegister) {
        const p = this.prefix;
        p.start = register;
        p.end = register;
        p.hash = keyNameRegister;
        this.prefixKeepEmpty.hash = keyNameRegister;
    }
    /**
     * A compacted survivor (split mode; entry at or below the compact revision, given in order). Whether HashKV keeps
     * it is known at once: not when its key changed later at or below the hash revision.
     */
    survivor(page, i, before, after, hashCompactRevision) {
        this.entries++;
        const length = page.keyLen[i] + page.valLen[i];
        const p = this.prefix;
        p.end = after;
        p.length += length;
        if (this.stopped)
            return;
        const bytes = page.buf.bytes;
        const kOff = page.keyOff[i];
        const kLen = page.keyLen[i];
        const vOff = kOff + kLen;
        const vLen = page.valLen[i];
        const opts = this.opts;
        if (page.flags[i] !== 0)
            return this.fail(page, i, 'nested bucket inside the key bucket');
        let problem = parseRevisionKey(bytes, kOff, kLen);
        if (problem)
            return this.fail(page, i, problem);
        const main = revisionKey.main;
        const sub = revisionKey.sub;
        if (main < this.survivorMain || (main === this.survivorMain && sub <= this.survivorSub)) {
            return this.fail(page, i, `revision ${main}_${sub} does not follow ${this.survivorMain}_${this.survivorSub} (duplicate or out of order)`);
        }
        if (main > opts.compactRevision) {
            return this.fail(page, i, `revision ${main}_${sub} is among the revisions at or below the compaction at ${opts.compactRevision} (keys out of order)`);
        }
        this.survivorMain = main;
        this.survivorSub = sub;
        if (revisionKey.tombstone)
            return this.survivorTombstone(page, i, before, length, hashCompactRevision);
        let keyOff = 0;
        let keyLen = 0;
        let encrypted = false;
        const marker = vLen === 0 && sub === 0;
        if (marker) {
            fingerprintKey(EMPTY, 0, 0);
        }
        else {
            problem = decodeKeyValue(bytes, vOff, vOff + vLen);
            if (problem)
                return this.fail(page, i, `revision ${main}_${sub}: ${problem}`);
            const kv = keyValue;
            if (kv.modRevision !== main)
                return this.fail(page, i, `revision ${main}_${sub}: mod_revision ${kv.modRevision} differs from the key's revision`);
            if (kv.createRevision < 1 || kv.createRevision > main)
                return this.fail(page, i, `revision ${main}_${sub}: create_revision ${kv.createRevision} is not in 1..${main}`);
            if (kv.version < 1)
                return this.fail(page, i, `revision ${main}_${sub}: version missing`);
            keyOff = kv.keyOff;
            keyLen = kv.keyLen;
            encrypted = isEncryptedValue(bytes, kv.valueOff, kv.valueLen);
            fingerprintKey(bytes, keyOff, keyLen);
        }
        const table = this.table;
        const slot = table.find(fingerprint.a, fingerprint.b);
        let dropped = false;
        if (slot >= 0) {
            const part = table.part;
            const base = slot * table.stride;
            const flags = part.flags[slot];
            if ((flags & F_NEEDS_SURVIVOR) === 0) {
                return this.fail(page, i, `revision ${main}_${sub}: the key is created again after the compaction although this revision survived it`);
            }
            part.flags[slot] = flags & ~F_NEEDS_SURVIVOR;
            const nextVersion = part.data[base + F_FIRST_VERSION];
            if (!marker &&
                nextVersion !== 0 &&
                (keyValue.version !== nextVersion - 1 || keyValue.createRevision >>> 0 !== part.data[base + F_FIRST_CREATE])) {
                return this.fail(page, i, `revision ${main}_${sub}: version ${keyValue.version}/create_revision ${keyValue.createRevision} are not continued by revision ${part.data[base + F_FIRST_MAIN]} (version ${nextVersion})`);
            }
            dropped = main <= hashCompactRevision && (flags & F_TOUCHED) !== 0;
            if ((flags & F_TOUCHED) === 0)
                this.survivorLive++;
        }
        else {
            // The newest revision of its key: live.
            this.liveKeys++;
            this.survivorLive++;
            if (!marker)
                opts.observer.added(bytes, keyOff, keyLen, encrypted);
        }
        // HashKV over the survivors: runs of kept entries, composed as they end.
        this.hashSurvivor(p, dropped, before, length);
        this.hashSurvivor(this.prefixKeepEmpty, false, before, length);
    }
    /**
     * A compacted survivor that is a tombstone. etcd 3.4.34+, 3.5.16+ and 3.6 keep one at exactly the compact
     * revision (its key deleted there; older releases remove it); one below it should have gone. Its key is not live,
     * and HashKV skips it: never in keep, and skipped even with an empty keep at exactly the hash's compact revision.
     */
    survivorTombstone(page, i, before, length, hashCompactRevision) {
        const opts = this.opts;
        const main = revisionKey.main;
        const sub = revisionKey.sub;
        if (main !== opts.compactRevision)
            return this.fail(page, i, `tombstone ${main}_${sub} should have been removed by the finished compaction at ${opts.compactRevision}`);
        const bytes = page.buf.bytes;
        const vOff = page.keyOff[i] + page.keyLen[i];
        const problem = decodeKeyValue(bytes, vOff, vOff + page.valLen[i]);
        if (problem)
            return this.fail(page, i, `revision ${main}_${sub}: ${problem}`);
        if (keyValue.fields !== 1)
            return this.fail(page, i, `tombstone ${main}_${sub} holds more than the key`);
        this.tombstones++;
        fingerprintKey(bytes, keyValue.keyOff, keyValue.keyLen);
        const table = this.table;
        const slot = table.find(fingerprint.a, fingerprint.b);
        if (slot >= 0) {
            const part = table.part;
            const flags = part.flags[slot];
            if ((flags & F_NEEDS_SURVIVOR) !== 0) {
                part.flags[slot] = flags & ~F_NEEDS_SURVIVOR;
                return this.fail(page, i, `revision ${part.data[slot * table.stride + F_FIRST_MAIN]} continues the history of a key deleted by tombstone ${main}_${sub} instead of creating it again`);
            }
        }
        this.hashSurvivor(this.prefix, true, before, length);
        this.hashSurvivor(this.prefixKeepEmpty, main === hashCompactRevision, before, length);
    }
    hashSurvivor(p, dropped, before, length) {
        if (dropped) {
            if (p.inRun) {
                p.hash = crc32cShift(p.hash ^ p.runStart, p.runLength) ^ before;
                p.inRun = false;
            }
        }
        else {
            if (!p.inRun) {
                p.inRun = true;
                p.runStart = before;
                p.runLength = 0;
            }
            p.runLength += length;
        }
    }
    /**
     * End of the survivors. Reports keys whose history after the compaction needs a survivor that is missing, and
     * returns the HashKV register over the survivors and the full survivor stream (start/end registers, length).
     */
    finishSurvivors() {
        const p = this.prefix;
        for (const h of [p, this.prefixKeepEmpty]) {
            if (h.inRun) {
                h.hash = crc32cShift(h.hash ^ h.runStart, h.runLength) ^ p.end;
                h.inRun = false;
            }
        }
        if (this.survivorMain > this.lastMain) {
            this.lastMain = this.survivorMain;
        }
        if (this.liveAtHashRevision >= 0)
            this.liveAtHashRevision += this.survivorLive;
        if (!this.stopped) {
            let orphans = 0;
            let example = 0;
            this.table.forEach((part, slot) => {
                if ((part.flags[slot] & F_NEEDS_SURVIVOR) === 0)
                    return;
                if (orphans++ === 0)
                    example = part.data[slot * this.table.stride + F_FIRST_MAIN];
            });
            if (orphans > 0) {
                const where = this.opts.locate?.(example) ?? '';
                this.opts.problem(`bucket "key"${where ? ` ${where}` : ''}: revision ${example}${orphans > 1 ? ` (and ${orphans - 1} more)` : ''} continues a key's history from a revision at or below the compaction at ${this.opts.compactRevision} that is not in the snapshot (its version/create_revision may be damaged)`);
            }
        }
        return { hash: p.hash, hashKeepEmpty: this.prefixKeepEmpty.hash, start: p.start, end: p.end, length: p.length };
    }
    fail(page, i, message) {
        if (!this.opts.problem(`bucket "key" ${page.where(i)}: ${message}`))
            this.stopped = true;
    }
}

;// CONCATENATED MODULE: ./src/verify/kubernetes.ts
const REGISTRY = new TextEncoder().encode('/registry/');
const MAX_NAMESPACES_LISTED = 1000;
function kubernetes_startsWith(bytes, start, len, prefix) {
    if (len < prefix.length)
        return false;
    for (let i = 0; i < prefix.length; i++)
        if (bytes[start + i] !== prefix[i])
            return false;
    return true;
}
function placeRegistryKey(path) {
    const parts = path.split('/');
    let resource = parts[0] ?? '';
    let rest = parts.slice(1);
    if ((resource === 'services' || resource.includes('.')) && rest.length > 1) {
        resource = `${resource}/${rest[0]}`;
        rest = rest.slice(1);
    }
    const namespace = rest.length >= 2 ? rest[0] : '';
    const namespaceObject = resource === 'namespaces' && rest.length === 1 ? rest[0] : '';
    return { resource, namespace, namespaceObject };
}
function bump(map, key, by) {
    const n = (map.get(key) ?? 0) + by;
    if (n === 0)
        map.delete(key);
    else
        map.set(key, n);
}
function sortedRecord(map, keep) {
    const out = {};
    for (const k of [...map.keys()].sort())
        if (!keep || keep(k))
            out[k] = map.get(k);
    return out;
}
/** Follows the live keyspace through the history and summarises it at the end. */
class KubernetesTracker {
    objects = 0;
    otherKeys = 0;
    resources = new Map();
    perNamespace = new Map();
    namespaces = new Set();
    encrypted = new Map();
    added(bytes, keyStart, keyLen, encrypted) {
        this.change(bytes, keyStart, keyLen, 1, encrypted ? 1 : 0);
    }
    removed(bytes, keyStart, keyLen, wasEncrypted) {
        this.change(bytes, keyStart, keyLen, -1, wasEncrypted ? -1 : 0);
    }
    reencrypted(bytes, keyStart, keyLen, encrypted) {
        this.change(bytes, keyStart, keyLen, 0, encrypted ? 1 : -1);
    }
    change(bytes, keyStart, keyLen, live, encrypted) {
        if (!kubernetes_startsWith(bytes, keyStart, keyLen, REGISTRY)) {
            this.otherKeys += live;
            return;
        }
        const path = Buffer.from(bytes.buffer, bytes.byteOffset + keyStart + REGISTRY.length, keyLen - REGISTRY.length).toString('utf8');
        const place = placeRegistryKey(path);
        if (live !== 0) {
            this.objects += live;
            bump(this.resources, place.resource, live);
            if (place.namespace)
                bump(this.perNamespace, place.namespace, live);
            if (place.namespaceObject) {
                if (live > 0)
                    this.namespaces.add(place.namespaceObject);
                else
                    this.namespaces.delete(place.namespaceObject);
            }
        }
        if (encrypted !== 0)
            bump(this.encrypted, place.resource, encrypted);
    }
    inventory() {
        const names = [...this.namespaces].sort();
        const listed = names.slice(0, MAX_NAMESPACES_LISTED);
        const listedSet = new Set(listed);
        const secrets = this.resources.get('secrets') ?? 0;
        const encryptedSecrets = this.encrypted.get('secrets') ?? 0;
        return {
            objects: this.objects,
            resources: sortedRecord(this.resources),
            namespaces: listed,
            namespaceCount: names.length,
            objectsPerNamespace: sortedRecord(this.perNamespace, k => listedSet.has(k)),
            secrets: { total: secrets, encrypted: encryptedSecrets, plaintext: secrets - encryptedSecrets },
            encryptedResources: sortedRecord(this.encrypted),
            otherKeys: this.otherKeys
        };
    }
}
/** Counts live keys under each required prefix (the `required-keys` input). */
class RequiredPrefixes {
    required;
    prefixes;
    counts;
    constructor(required) {
        this.required = required;
        this.prefixes = required.map(p => new TextEncoder().encode(p));
        this.counts = required.map(() => 0);
    }
    added(bytes, keyStart, keyLen) {
        this.change(bytes, keyStart, keyLen, 1);
    }
    removed(bytes, keyStart, keyLen) {
        this.change(bytes, keyStart, keyLen, -1);
    }
    reencrypted() { }
    change(bytes, keyStart, keyLen, by) {
        for (let i = 0; i < this.prefixes.length; i++)
            if (kubernetes_startsWith(bytes, keyStart, keyLen, this.prefixes[i]))
                this.counts[i] += by;
    }
    /** Prefixes with no live key. */
    missing() {
        return this.required.filter((_, i) => this.counts[i] === 0);
    }
}

;// CONCATENATED MODULE: ./src/verify/status.ts
/**
 * `etcdctl snapshot status` (3.4, and etcdutl's in 3.5) reproduced: for each top-level bucket in name order, the
 * CRC-32C of the bucket name, then of each key and value in key order; totalKey counts every entry of every bucket;
 * revision is the main revision of the last key in the `key` bucket; totalSize is the high-water mark times the page
 * size. etcdutl 3.6 changed totalKey to the number of live user keys; the report carries that as `liveKeys`.
 *
 * Within a page bbolt packs key₀ value₀ key₁ value₁ … contiguously, so the status CRC of a leaf page is one CRC over
 * that region.
 */

class StatusHash {
    register = CRC32C_INIT;
    totalKey = 0;
    bucketName(name) {
        this.register = crc32cUpdateBytes(this.register, name);
    }
    /** All of a leaf page's keys and values. */
    page(page) {
        this.register = crc32cUpdate(this.register, page.buf.bytes, page.buf.words, page.dataStart, page.dataEnd);
        this.totalKey += page.count;
    }
    /** One key and its value, given as separate buffers (entries kept aside and replayed). */
    entry(key, value) {
        this.register = crc32cUpdateBytes(crc32cUpdateBytes(this.register, key), value);
        this.totalKey++;
    }
    get hash() {
        return crc32cFinish(this.register);
    }
}

;// CONCATENATED MODULE: external "node:worker_threads"
const external_node_worker_threads_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:worker_threads");
;// CONCATENATED MODULE: ./src/verify/trailer.ts
/**
 * etcd's snapshot trailer: the server streams the bbolt file, then the sha256 of everything it sent; etcdctl writes
 * both. So a snapshot is 512·n + 32 bytes (bbolt pages are multiples of 512) and its last 32 bytes are the sha256 of
 * the rest.
 *
 * Hashing runs in a worker thread for large files so the structure walk on the main thread proceeds at the same
 * time (two cores, two passes over the page cache). The worker is plain JavaScript passed as a string, so it needs
 * no separate file in the bundle.
 */



const trailer_TRAILER_SIZE = 32;
const SNAPSHOT_BLOCK = 512;
/** Whether `size` bytes can be `snapshot save` output: bbolt data padded to 512-byte blocks, then the trailer. */
function hasSnapshotSize(size) {
    return size % SNAPSHOT_BLOCK === trailer_TRAILER_SIZE;
}
/** Below this, hashing inline is cheaper than starting a worker. */
const WORKER_THRESHOLD = 32 * 1024 * 1024;
const trailer_CHUNK = 1024 * 1024;
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads')
const { openSync, readSync, closeSync, fstatSync, constants } = require('node:fs')
const { createHash } = require('node:crypto')
const { path, length, chunk } = workerData
let fd = -1
try {
  fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK)
  if (!fstatSync(fd).isFile()) throw new Error('it is no longer a regular file')
  const buf = Buffer.allocUnsafe(chunk)
  const hash = createHash('sha256')
  let pos = 0
  while (pos < length) {
    const n = readSync(fd, buf, 0, Math.min(chunk, length - pos), pos)
    if (n === 0) throw new Error('file ended at byte ' + pos + ' while hashing')
    hash.update(n === buf.length ? buf : buf.subarray(0, n))
    pos += n
  }
  parentPort.postMessage({ digest: hash.digest('hex') })
} catch (e) {
  parentPort.postMessage({ error: (e && e.message) || String(e) })
} finally {
  if (fd >= 0) closeSync(fd)
}
`;
/** sha256 (hex) of the first `length` bytes of the file. I/O failures reject with a VerificationError. */
function sha256OfPrefix(file, length) {
    if (length < WORKER_THRESHOLD) {
        try {
            const hash = (0,external_node_crypto_.createHash)('sha256');
            const buf = new Uint8Array(Math.min(trailer_CHUNK, Math.max(length, 1)));
            let pos = 0;
            while (pos < length) {
                const n = file.read(buf, 0, Math.min(buf.length, length - pos), pos);
                if (n === 0)
                    throw new SnapshotReadError(`${file.path} ended at byte ${pos} while hashing`);
                hash.update(buf.subarray(0, n));
                pos += n;
            }
            return Promise.resolve(hash.digest('hex'));
        }
        catch (e) {
            return Promise.reject(e);
        }
    }
    return new Promise((resolve, reject) => {
        const worker = new external_node_worker_threads_namespaceObject.Worker(WORKER_SOURCE, { eval: true, workerData: { path: file.path, length, chunk: trailer_CHUNK } });
        let settled = false;
        worker.once('message', (msg) => {
            settled = true;
            if (msg.digest)
                resolve(msg.digest);
            else
                reject(new SnapshotReadError(`cannot hash ${file.path}: ${msg.error ?? 'unknown error'}`));
        });
        worker.once('error', (e) => {
            if (!settled)
                reject(new SnapshotReadError(`cannot hash ${file.path}: ${e.message}`));
            settled = true;
        });
        worker.once('exit', code => {
            if (!settled)
                reject(new SnapshotReadError(`cannot hash ${file.path}: hashing worker exited with code ${code}`));
            settled = true;
        });
    });
}
/** The trailer's 32 bytes as hex, or '' when the file is too short to have one. */
function readTrailer(file) {
    if (file.size < trailer_TRAILER_SIZE)
        return '';
    const buf = new Uint8Array(trailer_TRAILER_SIZE);
    if (file.read(buf, 0, trailer_TRAILER_SIZE, file.size - trailer_TRAILER_SIZE) < trailer_TRAILER_SIZE)
        return '';
    return Buffer.from(buf).toString('hex');
}

;// CONCATENATED MODULE: ./src/verify/verify.ts
/**
 * The native snapshot verifier: one pass over an etcd snapshot that checks the trailer, the bbolt structure and
 * etcd's schema, and computes what `snapshot status` and `endpoint hashkv` would say, plus a Kubernetes inventory.
 *
 * It never throws on malformed input: damage of any kind becomes `valid: false` with errors, the first of which says
 * what is wrong and where (page id and byte offset). Only a file that cannot be read at all throws
 * (SnapshotReadError, a VerificationError).
 */











/** The 17-byte key of revision main_0: every key bucket key at or above it has a main revision >= main. */
function revisionKeyBytes(main) {
    const key = new Uint8Array(17);
    const view = new DataView(key.buffer);
    view.setUint32(0, Math.floor(main / 0x100000000));
    view.setUint32(4, main >>> 0);
    key[8] = 0x5f;
    return key;
}
/** Verify a snapshot file. Rejects only when the file cannot be read (SnapshotReadError). */
async function verifySnapshot(path, opts = {}) {
    const file = SnapshotFile.open(path);
    try {
        return await new Verification(file, opts).run();
    }
    finally {
        file.close();
    }
}
/** Error ranks: the headline is the most basic problem, and page-level damage says where before the sha256 does. */
const RANK_KIND = -1;
const RANK_FILE = 0;
const RANK_META = 1;
const RANK_STRUCTURE = 2;
const RANK_TRAILER = 3;
const RANK_POLICY = 4;
/** The largest meta bucket value kept for the status hash. */
const MAX_META_VALUE = 64 * 1024;
/** Visit this many pages between looks at the clock; yield to the event loop every YIELD_MS. */
const STEP_PAGES = 256;
const YIELD_MS = 20;
class Verification {
    file;
    opts;
    errors = [];
    warnings = [];
    maxErrors;
    structureErrors = 0;
    lastYield = performance.now();
    leaf = new LeafPage();
    status = new StatusHash();
    facts = {
        meta: {},
        leases: 0,
        members: 0,
        removedMembers: 0,
        users: 0,
        roles: 0,
        alarms: 0
    };
    buckets = {};
    kubernetes = new KubernetesTracker();
    required;
    keyspace = null;
    hashKv = null;
    keyBucketClean = false;
    /** Split mode: the compacted survivors' HashKV register and stream. */
    survivors = null;
    pageMap = null;
    pageSize = 0;
    totalSize = 0;
    constructor(file, opts) {
        this.file = file;
        this.opts = opts;
        this.maxErrors = Math.max(1, opts.maxErrors ?? 20);
        this.required = new RequiredPrefixes(opts.requiredKeys ?? []);
    }
    /** Record an error; returns false once enough structure errors are in to stop looking for more. */
    error(rank, message) {
        if (rank !== RANK_STRUCTURE) {
            this.errors.push({ rank, message });
            return true;
        }
        if (this.structureErrors < this.maxErrors)
            this.errors.push({ rank, message });
        this.structureErrors++;
        return this.structureErrors < this.maxErrors;
    }
    async run() {
        const size = this.file.size;
        // The meta pages first: a file that is not bbolt at all is named as such without reading (or hashing) the rest.
        const meta = this.readMetas();
        if (!meta)
            return this.report('', '');
        const dataEnd = meta.hwm * meta.pageSize;
        // bbolt pages are multiples of 512 bytes and `snapshot save` appends a 32-byte sha256: a file of whole pages has
        // no trailer. That is what a copy of a member's database (member/snap/db) is; its size may exceed the high-water
        // mark, as bbolt grows the file ahead of use.
        const hasTrailer = size % SNAPSHOT_BLOCK !== 0;
        const dataLength = hasTrailer ? Math.max(0, size - trailer_TRAILER_SIZE) : size;
        if (hasTrailer)
            this.checkSnapshotShape(meta, size, dataLength);
        else
            this.checkDatabaseShape(meta, size, dataEnd);
        const trailer = hasTrailer ? readTrailer(this.file) : '';
        const shaPromise = !hasTrailer
            ? Promise.resolve('')
            : this.opts.dataSha256 !== undefined
                ? Promise.resolve(this.opts.dataSha256)
                : sha256OfPrefix(this.file, dataLength);
        // Keep an early rejection from being reported as unhandled while the walk runs; awaited below.
        shaPromise.catch(() => undefined);
        try {
            await this.walk(meta);
        }
        catch (e) {
            if (e instanceof SnapshotReadError)
                throw e;
            if (e instanceof errors_VerificationError)
                this.error(RANK_STRUCTURE, e.message);
            else
                this.error(RANK_STRUCTURE, `internal error while verifying (a bug in the verifier; the file may still be damaged): ${errors_errorMessage(e)}`);
        }
        const dataSha256 = await shaPromise;
        if (hasTrailer && trailer !== dataSha256) {
            this.error(RANK_TRAILER, `sha256 mismatch: the trailer at bytes ${dataLength}..${size - 1} says ${trailer} but bytes 0..${dataLength - 1} hash to ${dataSha256} (the file changed after etcd wrote it)`);
        }
        return this.report(dataSha256, trailer);
    }
    /** `snapshot save` output: the bbolt data up to the high-water mark, then the 32-byte trailer. */
    checkSnapshotShape(meta, size, dataLength) {
        if (size < trailer_TRAILER_SIZE + 2 * 512) {
            this.error(RANK_FILE, `file is ${size} bytes: too small for an etcd snapshot (two bbolt meta pages and a 32-byte sha256 trailer)`);
        }
        else if (!hasSnapshotSize(size)) {
            const extra = (size - trailer_TRAILER_SIZE + SNAPSHOT_BLOCK * 4) % SNAPSHOT_BLOCK;
            this.error(RANK_FILE, `file size ${size} is not 512·n + 32 (off by ${extra} bytes at the end, byte ${size}): the snapshot is truncated or has bytes appended`);
        }
        if (meta.hwm * meta.pageSize !== dataLength) {
            this.error(RANK_META, `meta page ${meta.index} (byte ${meta.index * meta.pageSize + 56}): high-water mark ${meta.hwm} × page size ${meta.pageSize} = ${meta.hwm * meta.pageSize} bytes, but the file holds ${dataLength} bytes before the trailer`);
        }
    }
    /** A file of whole pages: a member's database, acceptable only when the caller skips the hash check. */
    checkDatabaseShape(meta, size, dataEnd) {
        if (dataEnd > size) {
            this.error(RANK_FILE, `file is ${size} bytes but meta page ${meta.index} (byte ${meta.index * meta.pageSize + 56}) says the database holds ${meta.hwm} pages of ${meta.pageSize} bytes (${dataEnd}): the file is cut short`);
        }
        else if (!this.opts.skipHashCheck) {
            this.error(RANK_FILE, `no sha256 trailer (${size} bytes is a whole number of ${meta.pageSize}-byte pages, not 512·n + 32): this is a copy of a member's database (member/snap/db), not \`etcdctl snapshot save\` output, so nothing shows it is unchanged since etcd wrote it; if you trust the copy, verify or restore it with --skip-hash-check`);
        }
        else {
            this.warnings.push(`no sha256 trailer: a copy of a member's database (member/snap/db); its structure was checked, but nothing shows it is unchanged since etcd wrote it`);
        }
    }
    async maybeYield() {
        const now = performance.now();
        if (now - this.lastYield < YIELD_MS)
            return;
        await new Promise(resolve => setImmediate(resolve));
        this.lastYield = performance.now();
    }
    async walk(meta) {
        const pagesInFile = Math.floor(this.file.size / meta.pageSize);
        const hwm = Math.min(meta.hwm, pagesInFile);
        const db = { file: this.file, pageSize: meta.pageSize, hwm, pagesInFile, pages: new PageMap(hwm) };
        this.pageMap = db.pages;
        if (meta.freelist >= 0)
            readFreelist(db, meta.freelist);
        // The root bucket: one entry per top-level bucket.
        const tops = [];
        const rootWalk = new TreeWalk(db, '(root)', meta.root, page => this.collectTopBuckets(page, tops));
        while (!rootWalk.step(STEP_PAGES))
            await this.maybeYield();
        const names = tops.map(t => t.name);
        const foreign = tops.filter(t => !ETCD_BUCKETS.includes(t.name));
        const missing = REQUIRED_BUCKETS.filter(b => !names.includes(b));
        if (foreign.length === tops.length) {
            // Not one of etcd's buckets: some other program's bbolt database (or an empty one), not damage to etcd's.
            const held = names.length > 0 ? `its buckets ${names.map(quoted).join(', ')} are not etcd's` : 'it holds no buckets';
            this.error(RANK_KIND, `a bbolt database, but not etcd's: no "${KEY_BUCKET}" bucket, and ${held}`);
            return;
        }
        for (const top of foreign)
            this.error(RANK_STRUCTURE, `root bucket ${top.where}: ${quoted(top.name)} is not an etcd bucket`);
        for (const required of missing) {
            this.error(RANK_STRUCTURE, `no "${required}" bucket: not an etcd data file (buckets: ${names.map(quoted).join(', ') || 'none'})`);
        }
        if (missing.length > 0 || foreign.length > 0)
            return;
        // meta first: HashKV needs the compact revision before the key bucket is read. Its entries are kept aside and
        // replayed into the status hash in bucket order.
        const metaEntries = [];
        const metaBucket = tops.find(t => t.name === META_BUCKET);
        await this.walkBucket(db, metaBucket, page => {
            for (let i = 0; i < page.count; i++) {
                if (metaEntries.length >= 64)
                    throw new errors_VerificationError(`bucket "meta" ${page.where(i)}: more than 64 entries`);
                // Kept until the status hash replays them: etcd's meta values are a few bytes (confState a little JSON).
                if (page.valLen[i] > MAX_META_VALUE)
                    throw new errors_VerificationError(`bucket "meta" ${page.where(i)}: a value of ${page.valLen[i]} bytes, more than etcd stores there (at most ${MAX_META_VALUE})`);
                const k = page.keyOff[i];
                const v = k + page.keyLen[i];
                metaEntries.push([page.buf.bytes.slice(k, v), page.buf.bytes.slice(v, v + page.valLen[i])]);
                this.bookkeeping(page, i);
            }
        });
        const m = this.facts.meta;
        const scheduled = m.scheduledCompactRevision;
        const finished = m.finishedCompactRevision;
        const snapshotCompact = Math.max(scheduled ?? -1, finished ?? -1);
        const compactRevision = this.opts.compactRevision ?? snapshotCompact;
        const hashRevision = this.opts.hashRevision ?? Number.MAX_SAFE_INTEGER;
        this.hashKv = new HashKvRecorder(compactRevision, hashRevision);
        const observers = [this.kubernetes, this.required];
        const observer = {
            added: (b, s, l, e) => observers.forEach(o => o.added(b, s, l, e)),
            removed: (b, s, l, e) => observers.forEach(o => o.removed(b, s, l, e)),
            reencrypted: (b, s, l, e) => observers.forEach(o => o.reencrypted(b, s, l, e))
        };
        const compactionComplete = scheduled === undefined || scheduled === finished;
        const keyBucket = tops.find(t => t.name === KEY_BUCKET);
        // Split mode keeps only keys changed since the compaction in memory (see Keyspace); it needs the compaction
        // finished and the key bucket in pages of its own.
        const split = snapshotCompact >= 1 && compactionComplete && keyBucket.inline === null;
        this.keyspace = new Keyspace({
            compactRevision: snapshotCompact,
            compactionComplete,
            split,
            hashKv: this.hashKv,
            observer,
            problem: message => this.error(RANK_STRUCTURE, message),
            locate: main => locateKey(db, keyBucket.root, revisionKeyBytes(main))
        });
        for (const top of tops) {
            this.status.bucketName(top.nameBytes);
            const before = this.status.totalKey;
            if (top.name === META_BUCKET) {
                for (const [k, v] of metaEntries)
                    this.status.entry(k, v);
            }
            else if (top.name === KEY_BUCKET) {
                const errorsBefore = this.structureErrors;
                if (split)
                    await this.walkKeyBucketSplit(db, top, snapshotCompact, compactRevision);
                else {
                    this.hashKv.begin(this.status.register);
                    await this.walkBucket(db, top, page => this.keyPage(page));
                    this.keyspace.finish();
                }
                this.keyBucketClean = this.structureErrors === errorsBefore;
            }
            else {
                await this.walkBucket(db, top, page => {
                    this.status.page(page);
                    for (let i = 0; i < page.count; i++)
                        this.bookkeeping(page, i);
                });
            }
            this.buckets[top.name] = this.status.totalKey - before;
            if (this.structureErrors >= this.maxErrors)
                return;
        }
        if (meta.freelist >= 0 && this.errors.length === 0) {
            const leaked = db.pages.firstUnaccounted();
            if (leaked >= 0) {
                this.error(RANK_STRUCTURE, `page ${leaked} (byte ${leaked * meta.pageSize}) is neither reachable from the root nor in the freelist`);
            }
        }
    }
    /**
     * Check both meta pages; returns the one bbolt would use (the valid one with the higher txid), or null. A snapshot's
     * two meta pages must also agree as `snapshot save` writes them; a member's database is checked for that later.
     */
    readMetas() {
        const size = this.file.size;
        const probe = new reader_PageBuffer(65536 * 2);
        const got = this.file.read(probe.bytes, 0, Math.min(probe.bytes.length, size), 0);
        if (got < 80) {
            this.error(RANK_KIND, `not an etcd snapshot: the file is ${size} bytes, too short for a bbolt meta page (an etcd snapshot is a bbolt database)`);
            return null;
        }
        const pageSize = this.guessPageSize(probe, got);
        const m0 = parseMeta(probe, 0, 0, pageSize);
        const m1 = got >= pageSize + 80 ? parseMeta(probe, pageSize, 1, pageSize) : null;
        if (m0.magic !== MAGIC && (m1 === null || m1.magic !== MAGIC)) {
            this.error(RANK_KIND, `not a bbolt database, so not an etcd snapshot: bytes 16..19 are ${hexU32(m0.magic)}, not bbolt's magic 0xed0cdaed${m1 ? ` (nor at byte ${pageSize + 16})` : ''}`);
            return null;
        }
        for (const p of m0.problems)
            this.error(RANK_META, p);
        if (m1)
            for (const p of m1.problems)
                this.error(RANK_META, p);
        else
            this.error(RANK_META, `meta page 1 (byte ${pageSize}): cut off by the end of the file`);
        const ok0 = m0.problems.length === 0;
        const ok1 = m1 !== null && m1.problems.length === 0;
        if (ok0 && ok1 && size % SNAPSHOT_BLOCK !== 0) {
            const mismatch = compareMetas(m0, m1);
            if (mismatch)
                this.error(RANK_META, mismatch);
        }
        // bbolt opens a database with the valid meta page of the higher txid: the last committed transaction.
        const meta = ok0 && ok1 ? (m1.txid > m0.txid ? m1 : m0) : ok0 ? m0 : ok1 ? m1 : null;
        if (!meta)
            return null;
        this.pageSize = meta.pageSize;
        this.totalSize = meta.hwm * meta.pageSize;
        return meta;
    }
    /**
     * The page size meta 0 declares; when that field is damaged, the size at which meta page 1 is found intact (bbolt
     * itself falls back to meta 1 the same way), else 4096.
     */
    guessPageSize(probe, got) {
        const declared = probe.view.getUint32(24, true);
        if (isValidPageSize(declared))
            return declared;
        for (let ps = 512; ps <= 65536; ps *= 2) {
            if (got >= ps + 80 && parseMeta(probe, ps, 1, ps).problems.length === 0)
                return ps;
        }
        return 4096;
    }
    collectTopBuckets(page, tops) {
        const bytes = page.buf.bytes;
        for (let i = 0; i < page.count; i++) {
            const k = page.keyOff[i];
            const kLen = page.keyLen[i];
            const vLen = page.valLen[i];
            const name = Buffer.from(bytes.buffer, bytes.byteOffset + k, kLen).toString('latin1');
            if (page.flags[i] !== BUCKET_LEAF_FLAG)
                throw new errors_VerificationError(`root bucket ${page.where(i)}: entry ${quoted(name)} is not a bucket`);
            if (vLen < BUCKET_HEADER_SIZE)
                throw new errors_VerificationError(`root bucket ${page.where(i)}: bucket ${name} header is ${vLen} bytes, expected at least 16`);
            const v = k + kLen;
            const root = readU64(page.buf.view, v);
            const top = {
                name,
                where: page.where(i),
                nameBytes: bytes.slice(k, k + kLen),
                root,
                inline: null,
                inlineLength: 0,
                inlineFileOffset: page.fileOffset + v
            };
            if (root === 0) {
                // bbolt inlines a bucket only while its page fits in a quarter page (Bucket.inlineable).
                if (vLen - BUCKET_HEADER_SIZE > this.pageSize / 4)
                    throw new errors_VerificationError(`root bucket ${page.where(i)}: bucket ${name} is inline in ${vLen - BUCKET_HEADER_SIZE} bytes, more than the ${this.pageSize / 4} bbolt inlines`);
                const copy = new reader_PageBuffer(vLen);
                copy.bytes.set(bytes.subarray(v, v + vLen));
                top.inline = copy;
                top.inlineLength = vLen;
            }
            else if (vLen !== BUCKET_HEADER_SIZE) {
                throw new errors_VerificationError(`root bucket ${page.where(i)}: bucket ${name} has a root page and ${vLen - BUCKET_HEADER_SIZE} extra bytes`);
            }
            tops.push(top);
        }
    }
    async walkBucket(db, top, visit, range = {}) {
        if (top.inline) {
            decodeInlinePage(top.inline, BUCKET_HEADER_SIZE, top.inlineLength, top.inlineFileOffset, top.name, this.leaf);
            visit(this.leaf);
            return;
        }
        const walk = new TreeWalk(db, top.name, top.root, visit, range);
        while (!walk.step(STEP_PAGES))
            await this.maybeYield();
    }
    /**
     * Split mode: first the entries above the compact revision (a CRC stream of their own, from register 0), then the
     * compacted survivors below them; the status register is then composed as survivors followed by the rest.
     */
    async walkKeyBucketSplit(db, top, compact, hashCompact) {
        const keyspace = this.keyspace;
        const status = this.status;
        const split = revisionKeyBytes(compact + 1);
        const path = new Map();
        let reg = 0;
        let length = 0;
        this.hashKv.begin(0);
        await this.walkBucket(db, top, page => {
            const bytes = page.buf.bytes;
            const words = page.buf.words;
            for (let i = page.lo; i < page.hi; i++) {
                const k = page.keyOff[i];
                const n = page.keyLen[i] + page.valLen[i];
                const after = crc32cUpdate(reg, bytes, words, k, k + n);
                keyspace.entry(page, i, reg, after);
                reg = after;
                length += n;
            }
        }, { split, side: 'above', path });
        keyspace.finish();
        let pre = status.register;
        keyspace.beginSurvivors(pre, KEY_BUCKET_NAME_REGISTER);
        await this.walkBucket(db, top, page => {
            const bytes = page.buf.bytes;
            const words = page.buf.words;
            for (let i = page.lo; i < page.hi; i++) {
                const k = page.keyOff[i];
                const after = crc32cUpdate(pre, bytes, words, k, k + page.keyLen[i] + page.valLen[i]);
                keyspace.survivor(page, i, pre, after, hashCompact);
                pre = after;
            }
        }, { split, side: 'below', path });
        this.survivors = keyspace.finishSurvivors();
        status.register = crc32cShift(pre, length) ^ reg;
        status.totalKey += keyspace.entries;
    }
    keyPage(page) {
        const bytes = page.buf.bytes;
        const words = page.buf.words;
        const keyspace = this.keyspace;
        const status = this.status;
        let reg = status.register;
        for (let i = 0; i < page.count; i++) {
            const k = page.keyOff[i];
            const after = crc32cUpdate(reg, bytes, words, k, k + page.keyLen[i] + page.valLen[i]);
            keyspace.entry(page, i, reg, after);
            reg = after;
        }
        status.register = reg;
        status.totalKey += page.count;
    }
    bookkeeping(page, i) {
        if (page.flags[i] !== 0) {
            this.error(RANK_STRUCTURE, `bucket "${page.bucket}" ${page.where(i)}: nested bucket (etcd has none)`);
            return;
        }
        const k = page.keyOff[i];
        const kLen = page.keyLen[i];
        const problem = checkBookkeepingEntry(page.bucket, page.buf.bytes, k, kLen, k + kLen, page.valLen[i], this.facts);
        if (problem)
            this.error(RANK_STRUCTURE, `bucket "${page.bucket}" ${page.where(i)}: ${problem}`);
    }
    report(dataSha256, trailer) {
        const keyspace = this.keyspace;
        const liveKeys = keyspace?.liveKeys ?? 0;
        const snapshotRevision = keyspace?.lastMain ?? 0;
        const m = this.facts.meta;
        const compactRevision = Math.max(m.scheduledCompactRevision ?? -1, m.finishedCompactRevision ?? -1);
        const kubernetes = this.kubernetes.inventory();
        let hashKV;
        const recorder = this.hashKv;
        if (recorder && keyspace && this.keyBucketClean) {
            const revision = this.opts.hashRevision ?? snapshotRevision;
            if (recorder.compactRevision >= 0 && revision <= recorder.compactRevision) {
                this.warnings.push(`HashKV not computed: revision ${revision} is at or below the compact revision ${recorder.compactRevision}`);
            }
            else if (revision > snapshotRevision && this.opts.hashRevision !== undefined) {
                this.warnings.push(`HashKV not computed: revision ${revision} is newer than the snapshot's ${snapshotRevision}`);
            }
            else {
                const keepIsEmpty = keyspace.liveAtHashRevision === 0;
                const pre = this.survivors;
                if (!pre)
                    hashKV = recorder.finish(keepIsEmpty, revision);
                else {
                    // Split mode: the survivors come first in etcd's stream; the recorder holds what follows them.
                    const initial = keepIsEmpty ? pre.hashKeepEmpty : pre.hash;
                    hashKV = recorder.finish(keepIsEmpty, revision, initial);
                }
            }
        }
        if (this.errors.length === 0 || this.errors.every(e => e.rank === RANK_POLICY)) {
            const tooFew = tooFewKeys(liveKeys, this.opts.minKeys ?? 0, 'the minimum');
            if (tooFew)
                this.error(RANK_POLICY, tooFew);
            for (const prefix of this.required.missing()) {
                this.error(RANK_POLICY, `no live key under required prefix ${quoted(prefix)}`);
            }
        }
        if (kubernetes.secrets.plaintext > 0) {
            this.warnings.push(`${kubernetes.secrets.plaintext} of ${kubernetes.secrets.total} Secrets are stored unencrypted: anyone who can decrypt this backup can read them (configure encryption at rest in the API server)`);
        }
        const ordered = this.errors
            .map((e, i) => ({ ...e, i }))
            .sort((a, b) => a.rank - b.rank || a.i - b.i)
            .map(e => e.message);
        const pages = this.pageMap;
        return {
            valid: ordered.length === 0,
            errors: ordered,
            warnings: this.warnings,
            path: this.file.path,
            size: this.file.size,
            sha256: trailer,
            dataSha256,
            pageSize: this.pageSize,
            status: {
                hash: this.status.hash,
                revision: snapshotRevision,
                totalKey: this.status.totalKey,
                totalSize: this.totalSize
            },
            liveKeys,
            keyRevisions: keyspace?.entries ?? 0,
            compactRevision,
            compactionFinished: m.scheduledCompactRevision === m.finishedCompactRevision,
            ...(hashKV ? { hashKV } : {}),
            ...(m.consistentIndex !== undefined ? { consistentIndex: m.consistentIndex } : {}),
            ...(m.term !== undefined ? { term: m.term } : {}),
            ...(this.facts.clusterVersion !== undefined ? { clusterVersion: this.facts.clusterVersion } : {}),
            ...(m.storageVersion !== undefined ? { storageVersion: m.storageVersion } : {}),
            authEnabled: this.facts.authEnabled === true,
            buckets: this.buckets,
            leases: this.facts.leases,
            members: this.facts.members,
            pages: {
                total: pages?.hwm ?? 0,
                tree: pages ? pages.count(PAGE_TREE) + pages.count(PAGE_OVERFLOW) : 0,
                free: pages?.count(PAGE_FREE) ?? 0,
                freelist: pages?.count(PAGE_FREELIST) ?? 0
            },
            kubernetes,
            requiredKeys: this.required.required.map((prefix, i) => ({ prefix, liveKeys: this.required.counts[i] }))
        };
    }
}
/**
 * etcd's HashKV (`etcdctl endpoint hashkv --rev=<revision>`) computed from a snapshot. `compactRevision` is the live
 * member's, when it compacted after the snapshot was saved. Throws VerificationError when the snapshot is damaged
 * or the revision cannot be hashed (compacted, or newer than the snapshot).
 */
async function hashKV(path, revision, opts = {}) {
    const report = await verifySnapshot(path, { hashRevision: revision, ...opts });
    if (!report.valid)
        throw new VerificationError(`cannot compute HashKV of ${path}: ${report.errors[0]}`);
    if (!report.hashKV)
        throw new VerificationError(report.warnings.find(w => w.startsWith('HashKV')) ?? `HashKV of ${path} not computed`);
    return report.hashKV;
}
/** The min-keys rule, for the verifier and the backup's gate: `minimumName` is how the caller names the minimum. */
function tooFewKeys(liveKeys, minKeys, minimumName) {
    if (liveKeys >= minKeys)
        return undefined;
    return `snapshot holds ${liveKeys} live keys, fewer than ${minimumName} ${minKeys}; is this the right cluster?`;
}

;// CONCATENATED MODULE: ./src/verify/index.ts
/** The native etcd snapshot verifier (see verify.ts). */





;// CONCATENATED MODULE: ./src/restore/data-dir.ts
/**
 * `snapshot restore` into a new data directory: etcdutl (3.5+) or, where there is none, etcdctl (3.4/3.5). For
 * Kubernetes the revision is bumped and the old revisions marked compacted where the tool can do it, so that no
 * informer or watch cache mistakes the restored, older state for the present.
 */





/** Kubernetes' and etcd's recommendation: far more than the writes a cluster makes between a backup and a restore. */
const DEFAULT_BUMP_REVISION = 1_000_000_000;
const ETCD_DEFAULT_NAME = 'default';
const ETCD_DEFAULT_PEER_URL = 'http://localhost:2380';
/**
 * Fills in the membership flags from each other: a name and peer URLs make a one-member initial cluster; an initial
 * cluster with one member names it; a name found in the initial cluster gives its peer URLs.
 */
function resolveMembership(opts) {
    const name = opts.name?.trim() ?? '';
    const clusterText = opts.initialCluster?.trim() ?? '';
    const advertiseText = opts.initialAdvertisePeerUrls?.trim() ?? '';
    if (!name && !clusterText && !advertiseText) {
        return {
            name: ETCD_DEFAULT_NAME,
            initialCluster: `${ETCD_DEFAULT_NAME}=${ETCD_DEFAULT_PEER_URL}`,
            initialAdvertisePeerUrls: ETCD_DEFAULT_PEER_URL,
            defaulted: true
        };
    }
    if (name)
        checkMemberName('name', name);
    const advertise = advertiseText ? parseUrlList('initial-advertise-peer-urls', advertiseText) : [];
    const cluster = clusterText ? parseInitialCluster(clusterText) : [];
    if (!cluster.length) {
        if (!name || !advertise.length) {
            throw new errors_ConfigurationError(`set ${name ? 'initial-advertise-peer-urls (this member’s peer URL, https://<node-ip>:2380)' : 'name (this member’s name, as in its etcd manifest)'} too, or give initial-cluster`);
        }
        return {
            name,
            initialCluster: advertise.map(u => `${name}=${u}`).join(','),
            initialAdvertisePeerUrls: advertise.join(','),
            defaulted: false
        };
    }
    const names = [...new Set(cluster.map(m => m.name))];
    let member = name;
    if (!member) {
        if (names.length > 1) {
            throw new errors_ConfigurationError(`initial-cluster lists ${names.length} members (${names.join(', ')}); set name to the one this data dir is for`);
        }
        member = names[0];
    }
    const own = cluster.filter(m => m.name === member).map(m => m.url);
    if (!own.length) {
        throw new errors_ConfigurationError(`name '${member}' is not in initial-cluster (${names.join(', ')}); use the member's name exactly as it appears there`);
    }
    if (advertise.length) {
        const missing = advertise.filter(u => !own.includes(u));
        if (missing.length || own.length !== advertise.length) {
            throw new errors_ConfigurationError(`initial-advertise-peer-urls (${advertise.join(',')}) must equal ${member}'s URLs in initial-cluster (${own.join(',')})`);
        }
    }
    return {
        name: member,
        initialCluster: cluster.map(m => `${m.name}=${m.url}`).join(','),
        initialAdvertisePeerUrls: own.join(','),
        defaulted: false
    };
}
function parseInitialCluster(text) {
    return text
        .split(/[,\n]/)
        .map(s => s.trim())
        .filter(Boolean)
        .map(entry => {
        const eq = entry.indexOf('=');
        if (eq <= 0) {
            throw new errors_ConfigurationError(`initial-cluster entry '${entry}' is not name=peerURL (such as node1=https://10.0.0.1:2380)`);
        }
        const name = entry.slice(0, eq).trim();
        checkMemberName('initial-cluster', name);
        const [url] = parseUrlList('initial-cluster', entry.slice(eq + 1));
        return { name, url: url };
    });
}
/**
 * A member name goes into --initial-cluster as name=URL,...: a ',' or '=' would change the cluster it describes, and
 * white space or a control character (a newline from a pasted value) is never part of a real node name.
 */
function checkMemberName(input, name) {
    // eslint-disable-next-line no-control-regex
    if (/[\s,=\u0000-\u001f\u007f]/.test(name)) {
        throw new errors_ConfigurationError(`${input}: member name ${JSON.stringify(name)} must not contain white space, control characters, ',' or '='; use the node name exactly as etcd's --name has it`);
    }
}
function parseUrlList(input, text) {
    return text
        .split(/[,\n]/)
        .map(s => s.trim())
        .filter(Boolean)
        .map(entry => {
        let url;
        try {
            url = new URL(entry);
        }
        catch {
            throw new errors_ConfigurationError(`${input}: '${entry}' is not a URL; peer URLs look like https://10.0.0.1:2380`);
        }
        if ((url.protocol !== 'https:' && url.protocol !== 'http:') ||
            !url.port ||
            (url.pathname !== '/' && url.pathname !== '')) {
            throw new errors_ConfigurationError(`${input}: '${entry}' must be http(s)://host:port with no path (peer URLs look like https://10.0.0.1:2380)`);
        }
        return `${url.protocol}//${url.host}`;
    });
}
/** Which binary restores: etcdutl when there is one; etcdctl up to 3.5 (3.6 moved the command to etcdutl). */
function restoreTool(tools) {
    if (tools.etcdutl)
        return { path: tools.etcdutl.path, name: 'etcdutl', version: tools.etcdutl.version };
    if (compareVersions(tools.etcdctl.version, '3.6.0') >= 0) {
        throw new errors_ConfigurationError(`etcdctl ${tools.etcdctl.version} has no 'snapshot restore'; install etcdutl (same release tarball) or set the etcdutl input to its path`);
    }
    return { path: tools.etcdctl.path, name: 'etcdctl', version: tools.etcdctl.version };
}
/**
 * Whether the tool's `snapshot restore` takes --bump-revision and --mark-compacted (etcd 3.4.27+, 3.5.10+). Its help
 * text decides, not its version: distributions backport, and a version string proves nothing about a build.
 */
async function supportsRevisionBump(tool) {
    const result = await runTool(tool.path, ['snapshot', 'restore', '--help'], {
        env: { ETCDCTL_API: '3' },
        dropEnv: ['ETCDCTL_*', 'ETCDUTL_*'],
        timeoutMs: 15_000
    });
    const text = `${result.stdout}\n${result.stderr}`;
    return /--bump-revision\b/.test(text) && /--mark-compacted\b/.test(text);
}
/** The warning for a restore that could not bump the revision: what it means for Kubernetes, and what to do. */
function bumpUnsupportedWarning(tool) {
    return (`${tool.name} ${tool.version} cannot bump the revision (--bump-revision/--mark-compacted came in etcd 3.4.27 and 3.5.10): ` +
        'the restored etcd starts at the snapshot’s revision, so Kubernetes informers and watch caches that saw newer revisions can miss changes; ' +
        'restore with etcdutl 3.5.10+ if you can, otherwise restart every kube-apiserver, controller and operator after etcd is back');
}
/** Restores a snapshot into a new data directory; refuses one that holds anything. */
async function restoreSnapshot(opts) {
    const started = Date.now();
    const tool = restoreTool(opts.tools);
    const membership = resolveMembership(opts);
    const bump = opts.bumpRevision ?? 0;
    if (!Number.isSafeInteger(bump) || bump < 0)
        throw new errors_ConfigurationError(`bump-revision must be a whole number ≥ 0, got ${bump}`);
    const markCompacted = opts.markCompacted ?? bump > 0;
    if (markCompacted && bump === 0) {
        throw new errors_ConfigurationError('mark-compacted needs bump-revision > 0 (etcd marks the bumped revision compacted); set bump-revision or drop mark-compacted');
    }
    if (!markCompacted && bump > 0) {
        throw new errors_ConfigurationError('bump-revision needs mark-compacted (etcd requires both): without it clients could read revisions that never existed');
    }
    const warnings = [];
    if (membership.defaulted) {
        warnings.push(`no name or initial-cluster given: the restored member is '${membership.name}' at ${membership.initialAdvertisePeerUrls}; for a cluster member pass name, initial-cluster and initial-advertise-peer-urls as in its etcd manifest`);
    }
    let bumpArgs = [];
    if (bump > 0) {
        if (await supportsRevisionBump(tool))
            bumpArgs = [`--bump-revision=${bump}`, '--mark-compacted'];
        else
            warnings.push(bumpUnsupportedWarning(tool));
    }
    const dataDir = external_node_path_.resolve(opts.dataDir);
    const before = inspectDataDirSync(dataDir);
    // Everything the restore makes is recorded as it is made, and only that is removed on failure: a data dir that was
    // there (empty, perhaps a mount point) stays. The tools refuse an existing directory, even an empty one, so they
    // restore into a new dir inside the data dir (the same file system) and the result is moved in.
    const created = [];
    const record = (p) => {
        created.push(p);
        opts.created?.(p);
    };
    let staging;
    try {
        if (before === 'absent') {
            await external_node_fs_.promises.mkdir(external_node_path_.dirname(dataDir), { recursive: true });
            // Not recursive: EEXIST means someone else made it meanwhile, and it is not ours to fill or remove.
            await external_node_fs_.promises.mkdir(dataDir, { mode: 0o700 });
            record(dataDir);
        }
        staging = await external_node_fs_.promises.mkdtemp(external_node_path_.join(dataDir, '.etcd-restore-'));
        record(staging);
        const target = external_node_path_.join(staging, 'data');
        const args = [
            'snapshot',
            'restore',
            // Absolute, so a file name that starts with '-' is never read as a flag.
            external_node_path_.resolve(opts.snapshot),
            `--data-dir=${target}`,
            `--name=${membership.name}`,
            `--initial-cluster=${membership.initialCluster}`,
            `--initial-advertise-peer-urls=${membership.initialAdvertisePeerUrls}`,
            ...(opts.initialClusterToken ? [`--initial-cluster-token=${opts.initialClusterToken}`] : []),
            ...(opts.skipHashCheck ? ['--skip-hash-check'] : []),
            ...bumpArgs
        ];
        const result = await runTool(tool.path, args, {
            env: { ETCDCTL_API: '3' },
            dropEnv: ['ETCDCTL_*', 'ETCDUTL_*'],
            timeoutMs: opts.timeoutMs ?? 30 * 60_000
        });
        if (result.timedOut)
            throw new errors_EtcdError(`${tool.name} snapshot restore did not finish in time and was stopped; the partial data dir was removed`);
        if (result.code !== 0)
            throw new errors_EtcdError(`${tool.name} snapshot restore failed: ${toolError(result.stderr || result.stdout, result.code)}`);
        for (const entry of await external_node_fs_.promises.readdir(target)) {
            const moved = external_node_path_.join(dataDir, entry);
            // rename() would replace an empty directory someone put there meanwhile; refuse instead.
            if (await pathExists(moved))
                throw new errors_EtcdError(`${moved} appeared during the restore; restore into a directory nobody else writes to`);
            await external_node_fs_.promises.rename(external_node_path_.join(target, entry), moved);
            if (before !== 'absent')
                record(moved);
        }
        await external_node_fs_.promises.rm(staging, { recursive: true, force: true });
        // The data dir holds every Secret of the cluster; etcd itself wants 0700.
        await external_node_fs_.promises.chmod(dataDir, 0o700);
    }
    catch (e) {
        for (const p of created.splice(0).reverse())
            await external_node_fs_.promises.rm(p, { recursive: true, force: true });
        if (e instanceof errors_EtcdError)
            throw e;
        throw new errors_EtcdError(`restoring into ${dataDir} failed: ${errors_errorMessage(e)}`);
    }
    return {
        dataDir,
        tool,
        name: membership.name,
        initialCluster: membership.initialCluster,
        initialAdvertisePeerUrls: membership.initialAdvertisePeerUrls,
        bumpedBy: bumpArgs.length ? bump : 0,
        markedCompacted: bumpArgs.length > 0,
        warnings,
        durationMs: Date.now() - started,
        created: created.filter(p => p !== staging)
    };
}
/** 'absent' or 'empty'; anything else is refused before a byte is written. */
function inspectDataDirSync(dataDir) {
    let stat;
    try {
        stat = (0,external_node_fs_.lstatSync)(dataDir);
    }
    catch (e) {
        if (e.code === 'ENOENT')
            return 'absent';
        throw new errors_ConfigurationError(`data-dir ${dataDir} cannot be inspected: ${errors_errorMessage(e)}`);
    }
    if (!stat.isDirectory())
        throw new errors_ConfigurationError(`data-dir ${dataDir} exists and is not a directory; give a new or empty directory`);
    const entries = (0,external_node_fs_.readdirSync)(dataDir);
    if (entries.length) {
        throw new errors_ConfigurationError(`data-dir ${dataDir} is not empty (${entries.slice(0, 3).join(', ')}${entries.length > 3 ? ', …' : ''}); restore into a new directory and swap it in while etcd is stopped`);
    }
    return 'empty';
}
async function pathExists(p) {
    return external_node_fs_.promises.lstat(p).then(() => true, () => false);
}
/** The tool's own error line ("Error: ..."), without its JSON log lines. */
function toolError(text, code) {
    const lines = text
        .split('\n')
        .map(l => l.trim())
        .filter(Boolean);
    const error = [...lines].reverse().find(l => /^Error:/i.test(l)) ?? [...lines].reverse().find(l => !l.startsWith('{'));
    return (error ?? `exit code ${code}`).replace(/^Error:\s*/i, '').slice(0, 300);
}

;// CONCATENATED MODULE: ./src/restore/flow.ts
/**
 * The restore, shared by the restore action and the `etcd-snapshot` CLI: unpack a backup file (decrypt, decompress),
 * verify the snapshot natively and against what its manifest recorded, and optionally restore it into a new data dir.
 * Front ends parse their inputs, fetch the file and report; every path made here is recorded in `created` as soon as
 * it exists, so that a failure or a cancel removes those and nothing that was there before.
 */








async function restoreBackup(opts) {
    const created = opts.created ?? new CreatedPaths();
    const step = (name, work) => opts.report?.step ? opts.report.step(name, work) : work();
    const madePlaintext = (p) => {
        created.add(p);
        opts.plaintextCreated?.(p);
    };
    // Everything that can refuse does so before the plaintext exists.
    const restore = opts.restore;
    const tools = restore
        ? await (async () => {
            inspectDataDirSync(restore.dataDir);
            resolveMembership(restore);
            return resolveTools(restore.tools.etcdctl, restore.tools.etcdutl, restore.tools.etcdutlExplicit);
        })()
        : undefined;
    let snapshot;
    let unpacked;
    let report;
    if (opts.output) {
        snapshot = opts.output.path;
        ({ unpacked, report } = await createCheckedFile(snapshot, async (staged) => {
            const result = await step('unpack', () => unpack(opts, staged));
            return { unpacked: result, report: await step('verify', () => verify(opts, staged)) };
        }, { whenTaken: opts.output.whenTaken, created: madePlaintext }));
    }
    else {
        if (!restore)
            throw new errors_ConfigurationError('nothing to do: give an output path for the snapshot or a data dir');
        snapshot = opts.backup.backupFile;
        if ((await detectFileLayer(opts.backup.backupFile)) !== 'etcd-snapshot') {
            // Beside the data dir: its file system has room for a copy of the snapshot, /tmp may be a small tmpfs.
            const parent = external_node_path_.dirname(restore.dataDir);
            await external_node_fs_.promises.mkdir(parent, { recursive: true });
            const tempDir = await makePrivateDir(parent, '.etcd-snapshot-restore-');
            madePlaintext(tempDir);
            snapshot = external_node_path_.join(tempDir, 'snapshot.db');
            const into = snapshot;
            unpacked = await step('unpack', () => unpack(opts, into));
        }
        const verifying = snapshot;
        report = await step('verify', () => verify(opts, verifying));
    }
    let restored;
    if (restore && tools) {
        restored = await step('restore', async () => {
            const result = await restoreSnapshot({
                dataDir: restore.dataDir,
                name: restore.name,
                initialCluster: restore.initialCluster,
                initialAdvertisePeerUrls: restore.initialAdvertisePeerUrls,
                initialClusterToken: restore.initialClusterToken,
                bumpRevision: restore.bumpRevision,
                markCompacted: restore.markCompacted,
                timeoutMs: restore.timeoutMs,
                tools,
                snapshot,
                skipHashCheck: opts.skipHashCheck,
                created: p => created.add(p)
            });
            // The restored data dir is the user's now: neither a later failure nor a post step removes it.
            for (const p of result.created)
                created.keep(p);
            opts.report?.restored?.(result);
            return result;
        });
    }
    return { snapshot, unpacked, report, restored };
}
/** Decrypts and decompresses into `output`, and checks the file against the manifest's sha256. */
async function unpack(opts, output) {
    const result = await unpackBackup({
        input: opts.backup.backupFile,
        output,
        key: opts.key,
        snapshotSize: opts.backup.recorded?.snapshotSize
    });
    const recorded = opts.backup.recorded?.fileSha256;
    if (recorded && recorded !== result.inputSha256) {
        throw new errors_VerificationError(`${external_node_path_.basename(opts.backup.backupFile)} has sha256 ${result.inputSha256} but its manifest says ${recorded}: the file changed after the backup; use another backup`);
    }
    opts.report?.unpacked?.(result);
    return result;
}
/** The native verifier, then what the manifest recorded: the trailer's sha256 and the revision. */
async function verify(opts, snapshot) {
    const report = await verifySnapshot(snapshot, { skipHashCheck: opts.skipHashCheck });
    if (!report.valid)
        throw new errors_VerificationError(`${opts.unsound}: ${report.errors[0]}`);
    const recorded = opts.backup.recorded;
    if (recorded?.snapshotSha256 && recorded.snapshotSha256 !== report.sha256) {
        throw new errors_VerificationError(`the snapshot's sha256 trailer is ${report.sha256} but the manifest recorded ${recorded.snapshotSha256}: this is not the snapshot the backup verified`);
    }
    if (recorded?.revision !== undefined && recorded.revision !== report.status.revision) {
        throw new errors_VerificationError(`the snapshot holds revision ${report.status.revision} but the manifest recorded ${recorded.revision}: this is not the snapshot the backup verified`);
    }
    opts.report?.verified?.(report);
    return report;
}

// EXTERNAL MODULE: external "node:util"
var external_node_util_ = __nccwpck_require__(7975);
;// CONCATENATED MODULE: ./src/input-values.ts




/**
 * Value parsers shared by the backup and restore input parsers. Each takes the input's public name so its error
 * says which input is wrong.
 */
/** true/false (and yes/no, on/off, 1/0); empty means the fallback. */
function parseBoolean(input, value, fallback) {
    const text = value.trim().toLowerCase();
    if (!text)
        return fallback;
    if (['true', 'yes', 'on', '1'].includes(text))
        return true;
    if (['false', 'no', 'off', '0'].includes(text))
        return false;
    throw new ConfigurationError(`${input} must be true or false, not '${text}'`);
}
function parseWholeNumber(input, value, min, max = Number.MAX_SAFE_INTEGER) {
    const text = value.trim();
    if (!/^\d+$/.test(text) || !Number.isSafeInteger(Number(text)) || Number(text) < min || Number(text) > max) {
        const range = max === Number.MAX_SAFE_INTEGER ? `at least ${min}` : `from ${min} to ${max}`;
        throw new ConfigurationError(`${input} must be a whole number ${range}, not '${text}'`);
    }
    return Number(text);
}
/** An existing, writable directory; empty means RUNNER_TEMP (or the system temp dir outside Actions). */
function parseOutputDir(input, value) {
    const dir = path.resolve(value.trim() || process.env['RUNNER_TEMP'] || os.tmpdir());
    let stat;
    try {
        stat = statSync(dir);
    }
    catch {
        throw new ConfigurationError(`${input}: ${dir} does not exist; create it or point at an existing directory`);
    }
    if (!stat.isDirectory())
        throw new ConfigurationError(`${input}: ${dir} is not a directory`);
    try {
        accessSync(dir, constants.W_OK);
    }
    catch {
        throw new ConfigurationError(`${input}: ${dir} is not writable by this runner`);
    }
    return dir;
}
/** The most of a key, identity, certificate or recipients file that is read: real ones are a few KiB at most. */
const MAX_KEY_FILE_BYTES = 1 << 20;
/** The most of a passphrase file that is read: a passphrase is one line. */
const MAX_PASSPHRASE_FILE_BYTES = 64 << 10;
/**
 * Reads a small file the user named for a key or certificate, as UTF-8. Only a regular file (or a symlink to one) is
 * read: a device such as /dev/zero never ends, and a FIFO or socket can block forever. The file is opened
 * non-blocking, so a FIFO without a writer cannot hang the open, and its type is checked on the open descriptor,
 * so it cannot be swapped after the check. At most `maxBytes` are read. `label` names the flag or input
 * (`--identity`, `key: file`), and starts the error message.
 */
function readKeyFile(label, file, maxBytes) {
    const refuse = (reason) => {
        throw new errors_ConfigurationError(`${label} ${file} ${reason}`);
    };
    let fd;
    try {
        fd = (0,external_node_fs_.openSync)(file, external_node_fs_.constants.O_RDONLY | external_node_fs_.constants.O_NONBLOCK | external_node_fs_.constants.O_NOCTTY);
    }
    catch (e) {
        const code = e.code;
        return refuse(code === 'ENOENT' ? 'does not exist' : `cannot be opened (${code ?? 'error'})`);
    }
    try {
        const stat = (0,external_node_fs_.fstatSync)(fd);
        if (!stat.isFile())
            refuse(`is ${fileKind(stat)}, not a regular file`);
        const tooLarge = `is larger than ${formatLimit(maxBytes)}, more than such a file ever holds`;
        if (stat.size > maxBytes)
            refuse(tooLarge);
        // Read one byte past the cap, so a file that grew after fstat is refused too.
        const buffer = Buffer.alloc(maxBytes + 1);
        let length = 0;
        while (length < buffer.length) {
            const n = (0,external_node_fs_.readSync)(fd, buffer, length, buffer.length - length, null);
            if (n === 0)
                break;
            length += n;
        }
        if (length > maxBytes)
            refuse(tooLarge);
        return buffer.toString('utf8', 0, length);
    }
    catch (e) {
        if (e instanceof errors_ConfigurationError)
            throw e;
        return refuse(`cannot be read (${e.code ?? 'error'})`);
    }
    finally {
        (0,external_node_fs_.closeSync)(fd);
    }
}
function fileKind(stat) {
    if (stat.isDirectory())
        return 'a directory';
    if (stat.isCharacterDevice())
        return 'a character device';
    if (stat.isBlockDevice())
        return 'a block device';
    if (stat.isFIFO())
        return 'a FIFO (named pipe)';
    if (stat.isSocket())
        return 'a socket';
    return 'a special file';
}
function formatLimit(bytes) {
    return bytes % (1 << 20) === 0 ? `${bytes >> 20} MiB` : `${bytes >> 10} KiB`;
}

;// CONCATENATED MODULE: ./src/cli/common.ts
/** What the subcommands share: exit codes, argument parsing, usage errors and reading the age key from files. */






const EXIT_OK = 0;
const EXIT_FAILURE = 1;
const EXIT_USAGE = 2;
/** Wrong arguments: the command prints its usage and exits 2. */
class UsageError extends Error {
    name = 'UsageError';
}
/**
 * node:util parseArgs over `options`, as strict as its strict mode (an unknown option, a missing value, a value for a
 * switch) and stricter (an empty value, an option given twice that is not repeatable). Its tokens are checked here
 * rather than by `strict: true` so that a mistake gets the one line this CLI has always printed (`unknown option --x`,
 * `--identity needs a value`), which scripts and the docs quote, not node's wording of it.
 */
function parseCommandArgs(args, options) {
    const { positionals, tokens } = (0,external_node_util_.parseArgs)({
        args: [...args],
        options,
        allowPositionals: true,
        strict: false,
        tokens: true
    });
    const strings = new Map();
    const switches = new Set();
    for (const token of tokens) {
        if (token.kind !== 'option')
            continue;
        const spec = Object.hasOwn(options, token.name) ? options[token.name] : undefined;
        if (!spec)
            throw new UsageError(`unknown option ${token.rawName}`);
        const flag = `--${token.name}`;
        if (spec.type === 'boolean') {
            if (token.value !== undefined)
                throw new UsageError(`${flag} takes no value`);
            switches.add(token.name);
            continue;
        }
        if (token.value === undefined || token.value === '')
            throw new UsageError(`${flag} needs a value`);
        const list = strings.get(token.name) ?? [];
        if (list.length && !spec.multiple)
            throw new UsageError(`${flag} given twice`);
        list.push(token.value);
        strings.set(token.name, list);
    }
    return {
        positionals,
        value: name => strings.get(name)?.[0],
        values: name => strings.get(name) ?? [],
        has: name => switches.has(name)
    };
}
/** The options every command that reads an age key takes. */
const KEY_OPTIONS = {
    identity: { type: 'string', multiple: true },
    'passphrase-file': { type: 'string' },
    'max-work-factor': { type: 'string' }
};
/** A file given on the command line must be there and readable; otherwise it is a usage error (exit 2). */
function requireFile(flag, file) {
    try {
        if (!(0,external_node_fs_.statSync)(file).isFile() && !file.startsWith('/dev/'))
            throw new Error('not a regular file');
    }
    catch (e) {
        const code = e.code;
        throw new UsageError(`${flag} ${file} ${code === 'ENOENT' ? 'does not exist' : `cannot be read (${errors_errorMessage(e)})`}`);
    }
}
/** The age key from --identity files (one or more) or a --passphrase-file; undefined when neither is given. */
function loadKey(parsed) {
    const identityFiles = parsed.values('identity');
    const passphraseFile = parsed.value('passphrase-file');
    if (identityFiles.length && passphraseFile)
        throw new UsageError('give --identity or --passphrase-file, not both');
    const maxWorkFactor = parseMaxWorkFactor(parsed.value('max-work-factor'), passphraseFile !== undefined);
    if (passphraseFile) {
        // The passphrase is the file's first line, as `age` would take it typed (a trailing newline is not part of it).
        const passphrase = readKeyFile('--passphrase-file', passphraseFile, MAX_PASSPHRASE_FILE_BYTES).replace(/\r?\n$/, '');
        if (!passphrase)
            throw new errors_AgeError(`--passphrase-file ${passphraseFile} is empty`);
        if (passphrase.includes('\n'))
            throw new errors_AgeError(`--passphrase-file ${passphraseFile} holds more than one line; it must hold only the passphrase`);
        return maxWorkFactor === undefined ? { passphrase } : { passphrase, maxWorkFactor };
    }
    if (!identityFiles.length)
        return undefined;
    const identities = identityFiles.flatMap(file => {
        const text = readKeyFile('--identity', file, MAX_KEY_FILE_BYTES);
        try {
            return parseIdentities(text);
        }
        catch (e) {
            throw new errors_AgeError(`--identity ${file}: ${errors_errorMessage(e)}`);
        }
    });
    return { identities };
}
/** --max-work-factor: a whole number age accepts, and only beside --passphrase-file (identities use no scrypt). */
function parseMaxWorkFactor(value, withPassphrase) {
    if (value === undefined)
        return undefined;
    if (!withPassphrase)
        throw new UsageError('--max-work-factor applies only with --passphrase-file');
    if (!/^\d{1,2}$/.test(value) || Number(value) < 1 || Number(value) > HARD_MAX_WORK_FACTOR) {
        throw new UsageError(`--max-work-factor must be a whole number from 1 to ${HARD_MAX_WORK_FACTOR}, not '${value}'`);
    }
    return Number(value);
}
/**
 * Reports a failure while reading a command's arguments: a UsageError prints the usage and exits 2, anything else
 * (an unreadable key file, say) is a one-line failure with exit 1.
 */
function argumentFailure(command, usage, e, io) {
    if (!(e instanceof UsageError)) {
        io.stderr.write(failureLine(command, e));
        return EXIT_FAILURE;
    }
    io.stderr.write(`etcd-snapshot ${command}: ${printable(e.message)}\nusage: ${usage}\n`);
    return EXIT_USAGE;
}
function failureLine(command, e) {
    return `etcd-snapshot ${command}: ${errors_errorMessage(e).split('\n')[0]}\n`;
}

;// CONCATENATED MODULE: ./src/s3/client.ts

/** Loads the SDK and makes a client for `access`. */
async function client_s3Client(access, options = {}) {
    if (!access.region && !process.env['AWS_REGION'] && !process.env['AWS_DEFAULT_REGION']) {
        throw new errors_ConfigurationError('no region for S3: set s3-region (or AWS_REGION, as aws-actions/configure-aws-credentials does)');
    }
    const sdk = await __nccwpck_require__.e(/* import() */ 711).then(__nccwpck_require__.t.bind(__nccwpck_require__, 3711, 19));
    const client = new sdk.S3Client({
        ...(access.endpoint ? { endpoint: access.endpoint } : {}),
        ...(access.region ? { region: access.region } : {}),
        forcePathStyle: access.forcePathStyle,
        ...(options.credentials ? { credentials: options.credentials } : {}),
        maxAttempts: options.maxAttempts ?? 3,
        requestChecksumCalculation: 'WHEN_REQUIRED',
        responseChecksumValidation: 'WHEN_REQUIRED',
        // A store that stops answering fails the request instead of hanging the job.
        requestHandler: { connectionTimeout: 10_000, requestTimeout: 300_000 }
    });
    const unsignedWhenChecksummed = ((next) => async (args) => {
        const headers = args.request?.headers;
        if (headers?.['x-amz-checksum-sha256'] && !headers['x-amz-content-sha256']) {
            headers['x-amz-content-sha256'] = 'UNSIGNED-PAYLOAD';
        }
        return next(args);
    });
    client.middlewareStack.addRelativeTo(unsignedWhenChecksummed, {
        relation: 'before',
        toMiddleware: 'httpSigningMiddleware',
        name: 'unsignedPayloadWhenChecksummed',
        override: true
    });
    return { sdk, client };
}

// EXTERNAL MODULE: external "node:fs/promises"
var promises_ = __nccwpck_require__(1455);
;// CONCATENATED MODULE: ./src/s3/errors.ts
/**
 * One-line messages for S3 failures, chosen from the SDK's error name, the S3 error code and the HTTP status (and a
 * Node socket error's code), never from message text, which differs between AWS and each S3-compatible store.
 */

/** The object store refused or failed a request (not a mistake in the settings). */
class errors_S3Error extends Error {
    name = 'S3Error';
}
/** What the SDK (or Node) tells about a failure, looking into causes and AggregateErrors too. */
function facts(e) {
    const out = { name: '', code: '', status: 0, bucketRegion: '' };
    const seen = new Set();
    const visit = (x) => {
        if (x === null || typeof x !== 'object' || seen.has(x))
            return;
        seen.add(x);
        const o = x;
        if (!out.name && typeof o.name === 'string' && o.name !== 'Error')
            out.name = o.name;
        if (!out.code && typeof o.Code === 'string')
            out.code = o.Code;
        if (!out.code && typeof o.code === 'string')
            out.code = o.code;
        const status = o.$metadata?.httpStatusCode ?? o.$response?.statusCode;
        if (!out.status && typeof status === 'number')
            out.status = status;
        const region = o.$response?.headers?.['x-amz-bucket-region'];
        if (!out.bucketRegion && typeof region === 'string')
            out.bucketRegion = region;
        visit(o.cause);
        if (Array.isArray(o.errors))
            o.errors.forEach(visit);
    };
    visit(e);
    return out;
}
const CREDENTIALS = new Set([
    'InvalidAccessKeyId',
    'SignatureDoesNotMatch',
    'ExpiredToken',
    'InvalidToken',
    'TokenRefreshRequired',
    'InvalidClientTokenId',
    'CredentialsProviderError'
]);
const UNREACHABLE = new Set([
    'ECONNREFUSED',
    'ECONNRESET',
    'EPIPE',
    'ETIMEDOUT',
    'ENOTFOUND',
    'EAI_AGAIN',
    'EHOSTUNREACH',
    'ENETUNREACH',
    'TimeoutError',
    'RequestTimeout',
    'ERR_STREAM_PREMATURE_CLOSE'
]);
const FULL = new Set([
    'XMinioStorageFull',
    'InsufficientStorage',
    'XMinioAdminNoSuchQuotaConfiguration',
    'QuotaExceeded'
]);
/**
 * The error to throw for `e`, a failure of `op`: a ConfigurationError when the settings or the credentials are
 * what is wrong (the user fixes them), an S3Error otherwise. The message is one line naming the bucket and key.
 */
function errors_s3Failure(e, op) {
    if (e instanceof errors_S3Error || e instanceof errors_ConfigurationError)
        return e;
    const f = facts(e);
    const what = `${op.verb} of s3://${op.bucket}/${op.key ?? ''}`;
    const id = [f.name || f.code, f.status ? `HTTP ${f.status}` : ''].filter(Boolean).join(', ');
    const tag = id ? ` (${id})` : '';
    const where = op.endpoint ?? 'S3';
    const is = (...names) => names.includes(f.name) || names.includes(f.code);
    if ([f.name, f.code].some(n => CREDENTIALS.has(n))) {
        return new errors_ConfigurationError(`${what} failed: the credentials were refused${tag}; check AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or the role aws-actions/configure-aws-credentials assumed`);
    }
    if (is('AuthorizationHeaderMalformed', 'PermanentRedirect', 'IllegalLocationConstraintException') ||
        f.status === 301) {
        const region = f.bucketRegion ? ` (the bucket is in ${f.bucketRegion})` : '';
        return new errors_ConfigurationError(`${what} failed: wrong region${region}${tag}; set s3-region to the bucket's region`);
    }
    if (is('NoSuchBucket')) {
        return new errors_ConfigurationError(`${what} failed: bucket ${op.bucket} does not exist at ${where}${tag}; create it or fix the URI`);
    }
    if (is('NoSuchKey', 'NoSuchVersion')) {
        return new errors_ConfigurationError(`${what} failed: no such object${tag}; check the URI (list the prefix to see what is there)`);
    }
    if (is('NotFound') || f.status === 404) {
        return new errors_ConfigurationError(`${what} failed: not found at ${where}${tag}; check the bucket and key in the URI`);
    }
    if (is('AccessDenied', 'AllAccessDisabled', 'Forbidden') || f.status === 403) {
        return new errors_ConfigurationError(`${what} failed: access denied${tag}; grant the credentials s3:PutObject, s3:GetObject, s3:AbortMultipartUpload, s3:ListBucketMultipartUploads and s3:GetBucketObjectLockConfiguration on the bucket`);
    }
    if ([f.name, f.code].some(n => FULL.has(n)) || f.status === 507) {
        return new errors_S3Error(`${what} failed: the store at ${where} is out of space${tag}; free space or raise the quota, then run again`);
    }
    if ([f.name, f.code].some(n => UNREACHABLE.has(n))) {
        return new errors_S3Error(`${what} failed: ${where} could not be reached or dropped the connection${tag}; check s3-endpoint and that the store is up`);
    }
    if (is('BadDigest', 'InvalidDigest', 'XAmzContentChecksumMismatch', 'XAmzContentSHA256Mismatch')) {
        return new errors_S3Error(`${what} failed: the store computed another checksum than we sent${tag}; the data changed in transit, run again`);
    }
    if (is('NotImplemented') || f.status === 501) {
        return new errors_S3Error(`${what} failed: the store at ${where} does not implement a feature used (SHA-256 checksums, Object Lock or the storage class)${tag}`);
    }
    if (is('SlowDown') || f.status === 503) {
        return new errors_S3Error(`${what} failed: the store is throttling or unavailable${tag}; run again later`);
    }
    if (f.status >= 500)
        return new errors_S3Error(`${what} failed: the store had an internal error${tag}; run again`);
    const detail = errors_errorMessage(e).split('\n')[0]?.slice(0, 200) ?? '';
    return new errors_S3Error(`${what} failed${tag}: ${detail}`);
}

;// CONCATENATED MODULE: ./src/s3/settings.ts
/**
 * The offsite copy's settings: where in S3 (or an S3-compatible store) the backup goes, parsed from the plain
 * strings of the action's inputs into a typed S3Settings. Pure: no SDK, no environment, no I/O.
 */

/** S3 keys are at most 1024 bytes of UTF-8. */
const MAX_KEY_BYTES = 1024;
/** AWS allows a retention of up to 100 years. */
const MAX_LOCK_DAYS = 36500;
/** Settings for the offsite copy, or undefined when s3-uri is empty (the copy is off). */
function parseS3Settings(inputs) {
    const uri = (inputs.uri ?? '').trim();
    const others = ['endpoint', 'region', 'objectLockMode', 'objectLockDays', 'storageClass'];
    if (!uri) {
        const stray = others.find(k => (inputs[k] ?? '').trim() !== '');
        if (stray)
            throw new errors_ConfigurationError(`${inputName(stray)} is set but s3-uri is empty: set s3-uri or remove it`);
        return undefined;
    }
    const { bucket, key } = parseS3Uri(uri, 's3-uri');
    const prefix = key === '' || key.endsWith('/') ? key : `${key}/`;
    const endpoint = parseEndpoint((inputs.endpoint ?? '').trim());
    const settings = {
        bucket,
        prefix,
        forcePathStyle: settings_parseBoolean(inputs.forcePathStyle, 's3-force-path-style', endpoint !== undefined)
    };
    if (endpoint)
        settings.endpoint = endpoint;
    const region = (inputs.region ?? '').trim();
    if (region) {
        if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(region)) {
            throw new errors_ConfigurationError(`s3-region "${region}" is not a region name: use one such as eu-central-1 (or auto)`);
        }
        settings.region = region;
    }
    else if (endpoint) {
        // S3-compatible stores sign with some region and most accept this one (MinIO's default, R2's alias).
        settings.region = 'us-east-1';
    }
    const lock = parseObjectLock(inputs.objectLockMode, inputs.objectLockDays);
    if (lock)
        settings.objectLock = lock;
    const storageClass = (inputs.storageClass ?? '').trim();
    if (storageClass) {
        // Stores define their own classes (Ceph, MinIO), so only the shape is checked: AWS's are all like this.
        if (!/^[A-Z][A-Z0-9_]{0,63}$/.test(storageClass)) {
            throw new errors_ConfigurationError(`s3-storage-class "${storageClass}" is not a storage class: use one such as STANDARD_IA or GLACIER_IR (upper case)`);
        }
        settings.storageClass = storageClass;
    }
    return settings;
}
/**
 * The bucket and key of an s3://bucket/key URI; the key may be empty (a prefix). `input` names the input in
 * messages. Bucket names follow AWS's rules for general purpose buckets; keys may not hold `.` or `..` segments,
 * empty segments or control characters.
 */
function parseS3Uri(uri, input = 'S3 URI') {
    const m = /^s3:\/\/([^/]*)(?:\/(.*))?$/s.exec(uri);
    if (!m)
        throw new errors_ConfigurationError(`${input} "${settings_printable(uri)}" is not an S3 URI: write it as s3://bucket/prefix/`);
    const bucket = m[1] ?? '';
    const key = (m[2] ?? '').replace(/^\/+/, '');
    checkBucket(bucket, input);
    checkKey(key, input);
    return { bucket, key };
}
/** s3://bucket/key */
const settings_formatS3Uri = (location) => `s3://${location.bucket}/${location.key}`;
/** The key of `fileName` under `<prefix><artifactName>/`: where the offsite copy puts each file of a backup. */
function backupKey(settings, artifactName, fileName) {
    for (const [what, segment] of [
        ['artifact name', artifactName],
        ['file name', fileName]
    ]) {
        if (!segment || segment.includes('/') || segment === '.' || segment === '..') {
            throw new ConfigurationError(`the ${what} "${settings_printable(segment)}" cannot be one segment of an S3 key`);
        }
    }
    const key = `${settings.prefix}${artifactName}/${fileName}`;
    checkKey(key, 'the S3 key');
    return key;
}
/** The URI of manifest.json beside the object `uri` names (the backup file's manifest). */
function manifestUri(uri) {
    const { bucket, key } = parseS3Uri(uri);
    const slash = key.lastIndexOf('/');
    return settings_formatS3Uri({ bucket, key: `${key.slice(0, slash + 1)}manifest.json` });
}
function checkBucket(bucket, input) {
    const fix = `write it as s3://bucket/prefix/ with a bucket name as AWS allows`;
    let why;
    if (bucket === '')
        why = 'has no bucket';
    else if (bucket.length < 3 || bucket.length > 63)
        why = 'has a bucket name that is not 3 to 63 characters long';
    else if (!/^[a-z0-9][a-z0-9.-]*[a-z0-9]$/.test(bucket)) {
        why = 'has a bucket name that is not lower-case letters, digits, dots and hyphens, starting and ending alphanumeric';
    }
    else if (bucket.includes('..'))
        why = 'has a bucket name with two dots in a row';
    else if (/^\d+\.\d+\.\d+\.\d+$/.test(bucket))
        why = 'has a bucket name formed like an IP address';
    else if (/^(xn--|sthree-|amzn-s3-demo-)|(-s3alias|--ol-s3|\.mrap|--x-s3|--table-s3)$/.test(bucket)) {
        why = 'has a bucket name with a prefix or suffix AWS reserves';
    }
    if (why)
        throw new errors_ConfigurationError(`${input} ${why}: ${fix}`);
}
function checkKey(key, input) {
    let why;
    // eslint-disable-next-line no-control-regex
    if (/[\u0000-\u001f\u007f]/.test(key))
        why = 'has a control character in its key';
    else if (/[?#\\]/.test(key))
        why = 'has ?, # or \\ in its key';
    else if (Buffer.byteLength(key) > MAX_KEY_BYTES - 200)
        why = 'has a key prefix too long for S3 (1024 bytes a key)';
    else {
        const segments = key.split('/');
        if (segments[segments.length - 1] === '')
            segments.pop();
        if (segments.some(s => s === '.' || s === '..'))
            why = 'has a "." or ".." segment in its key';
        else if (segments.some(s => s === ''))
            why = 'has an empty segment (//) in its key';
    }
    if (why)
        throw new errors_ConfigurationError(`${input} "${settings_printable(key)}" ${why}: remove it`);
}
function parseEndpoint(value) {
    if (!value)
        return undefined;
    let url;
    try {
        url = new URL(value);
    }
    catch {
        throw new errors_ConfigurationError(`s3-endpoint is not a URL: write it as https://host[:port]`);
    }
    // Never echo the value back: it might carry credentials.
    if (url.username || url.password) {
        throw new errors_ConfigurationError('s3-endpoint must not hold credentials: pass them as AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY');
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
        throw new errors_ConfigurationError(`s3-endpoint must start with https:// (or http://), not ${url.protocol}//`);
    }
    if ((url.pathname !== '/' && url.pathname !== '') || url.search || url.hash) {
        throw new errors_ConfigurationError(`s3-endpoint must be https://host[:port] only: put the bucket and prefix in s3-uri`);
    }
    return url.origin;
}
function settings_parseBoolean(value, input, fallback) {
    const v = (value ?? '').trim().toLowerCase();
    if (v === '')
        return fallback;
    if (v === 'true')
        return true;
    if (v === 'false')
        return false;
    throw new errors_ConfigurationError(`${input} must be true or false, got "${settings_printable(value ?? '')}"`);
}
function parseObjectLock(modeInput, daysInput) {
    const mode = (modeInput ?? '').trim().toUpperCase();
    const daysText = (daysInput ?? '').trim();
    if (!mode) {
        if (daysText)
            throw new errors_ConfigurationError('s3-object-lock-days is set without s3-object-lock-mode: set both or neither');
        return undefined;
    }
    if (mode !== 'GOVERNANCE' && mode !== 'COMPLIANCE') {
        throw new errors_ConfigurationError(`s3-object-lock-mode must be GOVERNANCE or COMPLIANCE, got "${settings_printable(modeInput ?? '')}"`);
    }
    if (!daysText)
        throw new errors_ConfigurationError('s3-object-lock-mode is set without s3-object-lock-days: set how many days');
    const days = /^\d+$/.test(daysText) ? Number(daysText) : NaN;
    if (!(Number.isSafeInteger(days) && days >= 1 && days <= MAX_LOCK_DAYS)) {
        throw new errors_ConfigurationError(`s3-object-lock-days must be a whole number from 1 to ${MAX_LOCK_DAYS}, got "${settings_printable(daysText)}"`);
    }
    return { mode, days };
}
const inputName = (field) => ({
    uri: 's3-uri',
    endpoint: 's3-endpoint',
    region: 's3-region',
    forcePathStyle: 's3-force-path-style',
    objectLockMode: 's3-object-lock-mode',
    objectLockDays: 's3-object-lock-days',
    storageClass: 's3-storage-class'
})[field];
/** A value quoted in a one-line message: control characters escaped, long values cut. */
function settings_printable(value) {
    // eslint-disable-next-line no-control-regex
    const escaped = value.replace(/[\u0000-\u001f\u007f]/g, c => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
    return escaped.length > 120 ? `${escaped.slice(0, 117)}...` : escaped;
}

;// CONCATENATED MODULE: ./src/s3/download.ts
/**
 * Download of a backup's files from S3 for a restore: the object is streamed to a file and its SHA-256 checked
 * against the checksum the store kept when it was uploaded (ChecksumMode ENABLED). A multipart object's checksum is
 * the SHA-256 of its parts' SHA-256s (COMPOSITE): the parts' sizes and checksums come from GetObjectAttributes and
 * each part is checked as it streams by. The file is written beside `dest` and renamed into place only once checked.
 */







/** Downloads the object `uri` (s3://bucket/key) to `dest`, checked against its stored SHA-256. */
async function downloadObject(access, uri, dest, options = {}) {
    const { bucket, key } = parseS3Uri(uri);
    const op = { verb: 'download', bucket, key, endpoint: access.endpoint };
    const s3 = await client_s3Client(access, options);
    const partial = `${dest}.partial`;
    try {
        const version = options.versionId ? { VersionId: options.versionId } : {};
        const res = await s3.client.send(new s3.sdk.GetObjectCommand({ Bucket: bucket, Key: key, ChecksumMode: 'ENABLED', ...version }));
        const stored = res.ChecksumSHA256;
        if (!stored) {
            res.Body?.transformToWebStream()
                .cancel()
                .catch(() => undefined);
            throw new errors_S3Error(`download of ${uri} refused: the object has no SHA-256 checksum, so it was not uploaded by this action (or the store drops checksums)`);
        }
        const parts = /-(\d+)$/.exec(stored);
        let checker;
        if (parts) {
            const attrs = await s3.client.send(new s3.sdk.GetObjectAttributesCommand({
                Bucket: bucket,
                Key: key,
                // Only ObjectParts: MinIO refuses a list of several attributes (InvalidArgument).
                ObjectAttributes: ['ObjectParts'],
                MaxParts: 10_000,
                ...(res.VersionId ? { VersionId: res.VersionId } : {})
            }));
            const list = attrs.ObjectParts?.Parts ?? [];
            if (list.length !== Number(parts[1]) || list.some(p => !p.Size || !p.ChecksumSHA256)) {
                throw new errors_S3Error(`download of ${uri} failed: the store listed ${list.length} parts with checksums for a ${parts[1]}-part object; it cannot be checked`);
            }
            checker = new PartChecker(list.map(p => ({ size: p.Size, sha256: p.ChecksumSHA256 })), stored, uri);
        }
        else {
            checker = new PartChecker([{ size: Number(res.ContentLength ?? 0), sha256: stored }], undefined, uri);
        }
        const whole = (0,external_node_crypto_.createHash)('sha256');
        let size = 0;
        const body = res.Body;
        if (!body)
            throw new errors_S3Error(`download of ${uri} failed: the store sent no body`);
        await (0,promises_namespaceObject.pipeline)(body, async function* (source) {
            for await (const chunk of source) {
                whole.update(chunk);
                size += chunk.byteLength;
                checker.update(chunk);
                yield chunk;
            }
            checker.end();
        }, (0,external_node_fs_.createWriteStream)(partial, { mode: 0o600 }));
        await (0,promises_.rename)(partial, dest);
        const out = { path: dest, size, sha256: whole.digest('hex'), storedChecksum: stored };
        if (res.VersionId)
            out.versionId = res.VersionId;
        return out;
    }
    catch (e) {
        await (0,promises_.rm)(partial, { force: true });
        throw errors_s3Failure(e, op);
    }
    finally {
        s3.client.destroy();
    }
}
/**
 * Hashes a stream part by part and checks each part, then the composite checksum (base64 SHA-256 of the parts'
 * digests, then -<parts>), against the stored ones; throws an S3Error at the first mismatch.
 */
class PartChecker {
    parts;
    composite;
    uri;
    index = 0;
    left;
    hash = (0,external_node_crypto_.createHash)('sha256');
    digests = [];
    constructor(parts, composite, uri) {
        this.parts = parts;
        this.composite = composite;
        this.uri = uri;
        this.left = parts[0]?.size ?? 0;
    }
    update(chunk) {
        let offset = 0;
        while (offset < chunk.length) {
            if (this.index >= this.parts.length)
                this.fail('the object is longer than its parts');
            const n = Math.min(this.left, chunk.length - offset);
            this.hash.update(chunk.subarray(offset, offset + n));
            offset += n;
            this.left -= n;
            if (this.left === 0)
                this.nextPart();
        }
    }
    end() {
        if (this.index === 0 && this.parts.length === 1 && this.parts[0]?.size === 0)
            this.nextPart();
        if (this.index !== this.parts.length)
            this.fail('the object is shorter than its parts');
        if (this.composite) {
            const sum = (0,external_node_crypto_.createHash)('sha256').update(Buffer.concat(this.digests)).digest('base64');
            if (`${sum}-${this.parts.length}` !== this.composite)
                this.fail('its parts do not add up to its checksum');
        }
    }
    nextPart() {
        const digest = this.hash.digest();
        const part = this.parts[this.index];
        if (digest.toString('base64') !== part.sha256.replace(/-\d+$/, '')) {
            this.fail(`part ${this.index + 1} does not match its SHA-256`);
        }
        this.digests.push(digest);
        this.index++;
        this.hash = (0,external_node_crypto_.createHash)('sha256');
        this.left = this.parts[this.index]?.size ?? 0;
    }
    fail(why) {
        throw new errors_S3Error(`download of ${this.uri} failed its checksum: ${why}; the stored object is damaged, do not restore it`);
    }
}

;// CONCATENATED MODULE: ./src/s3/upload.ts







const MiB = 1024 * 1024;
/** 16 MiB parts: 10,000 parts (S3's limit) cover 156 GiB, far above etcd's 8 GiB quota. */
const DEFAULT_PART_SIZE = 16 * MiB;
const DEFAULT_QUEUE_SIZE = 4;
const MAX_PARTS = 10_000;
const DAY_MS = 86_400_000;
/** Marks the body's end as an abort, so a rejection carrying it is ours, not a failure. */
class UploadAborted extends (/* unused pure expression or super */ null && (Error)) {
    name = 'UploadAborted';
}
/**
 * Checks that the bucket is there, the credentials work and, if settings.objectLock is set, that the bucket has
 * Object Lock, then starts a multipart upload of `key` (the store sees it with the first full part).
 */
async function startUpload(settings, key, options = {}) {
    const partSize = options.partSize ?? DEFAULT_PART_SIZE;
    const queueSize = options.queueSize ?? DEFAULT_QUEUE_SIZE;
    if (!(Number.isSafeInteger(partSize) && partSize >= 5 * MiB && partSize <= 5 * 1024 * MiB)) {
        throw new ConfigurationError(`S3 part size must be a whole number of bytes from 5 MiB to 5 GiB, got ${partSize}`);
    }
    if (!(Number.isSafeInteger(queueSize) && queueSize >= 1 && queueSize <= 64)) {
        throw new ConfigurationError(`S3 queue size must be a whole number from 1 to 64, got ${queueSize}`);
    }
    const op = { verb: 'upload', bucket: settings.bucket, key, endpoint: settings.endpoint };
    const s3 = await s3Client(settings, options);
    await upload_checkBucket(s3, settings, op);
    const { Upload } = await Promise.all(/* import() */[__nccwpck_require__.e(711), __nccwpck_require__.e(358)]).then(__nccwpck_require__.t.bind(__nccwpck_require__, 2358, 19));
    const retainUntil = settings.objectLock ? new Date(Date.now() + settings.objectLock.days * DAY_MS) : undefined;
    const body = new PassThrough({ highWaterMark: MiB });
    const upload = new Upload({
        client: s3.client,
        queueSize,
        partSize,
        leavePartsOnError: false,
        params: {
            Bucket: settings.bucket,
            Key: key,
            Body: body,
            ChecksumAlgorithm: 'SHA256',
            ...(options.contentType ? { ContentType: options.contentType } : {}),
            ...(settings.storageClass ? { StorageClass: settings.storageClass } : {}),
            ...(settings.objectLock && retainUntil
                ? { ObjectLockMode: settings.objectLock.mode, ObjectLockRetainUntilDate: retainUntil }
                : {})
        }
    });
    let size = 0;
    let state = 'open';
    let failure;
    let failed;
    const failedPromise = new Promise((_, reject) => (failed = reject));
    failedPromise.catch(() => undefined);
    // lib-storage aborts the multipart upload itself when a part fails or the body errors, and then rethrows; when that
    // abort fails too (the store is gone) it leaves its abort command set: read it to say so.
    const leftover = () => {
        const internals = upload;
        return internals.abortMultipartUploadCommand && typeof internals.uploadId === 'string'
            ? internals.uploadId
            : undefined;
    };
    const explain = (e, verb) => {
        const error = s3Failure(e, { ...op, verb });
        const id = leftover();
        if (!id)
            return error;
        return new S3Error(`${error.message}; its unfinished multipart upload ${id} could not be aborted: abortUnfinishedUploads() on the next run, or a lifecycle rule with AbortIncompleteMultipartUpload, removes it`);
    };
    const done = upload.done().then(result => {
        s3.client.destroy();
        return result;
    }, (e) => {
        s3.client.destroy();
        const error = e instanceof UploadAborted && !leftover() ? e : explain(e, 'upload');
        failure = error;
        failed(error);
        body.destroy();
        throw error;
    });
    done.catch(() => undefined);
    return {
        uri: formatS3Uri({ bucket: settings.bucket, key }),
        async write(chunk) {
            if (state !== 'open')
                throw new S3Error(`write to s3://${settings.bucket}/${key} after the upload was ${state}`);
            if (failure)
                throw failure;
            size += chunk.byteLength;
            if (!body.write(chunk)) {
                await Promise.race([new Promise(resolve => body.once('drain', resolve)), failedPromise]);
            }
        },
        async complete() {
            if (state !== 'open')
                throw new S3Error(`complete of s3://${settings.bucket}/${key} after the upload was ${state}`);
            state = 'completing';
            body.end();
            const result = await done;
            state = 'completed';
            const uploaded = {
                uri: formatS3Uri({ bucket: settings.bucket, key }),
                bucket: settings.bucket,
                key,
                size
            };
            if (result.VersionId)
                uploaded.versionId = result.VersionId;
            if (result.ChecksumSHA256)
                uploaded.storedChecksum = result.ChecksumSHA256;
            if (retainUntil)
                uploaded.retainUntil = retainUntil;
            return uploaded;
        },
        async abort() {
            if (state === 'completed' || state === 'aborting' || state === 'aborted')
                return;
            state = 'aborting';
            body.destroy(new UploadAborted('aborted by the caller'));
            try {
                await done;
            }
            catch (e) {
                if (e instanceof UploadAborted)
                    return;
                // The upload had failed before (its parts are aborted) unless an unfinished upload is left.
                if (leftover())
                    throw e;
                return;
            }
            finally {
                state = 'aborted';
            }
            // Unreachable unless the body ended anyway; an object created by then is not ours to delete.
        }
    };
}
/**
 * Uploads a finished file (the upload-after-gate strategy): the object exists when this resolves, and after a
 * failure nothing is left (see S3Upload.abort).
 */
async function uploadFile(settings, key, file, options = {}) {
    const { size } = await stat(file);
    // Keep within S3's 10,000 parts: larger parts for a file above 156 GiB.
    const partSize = Math.max(options.partSize ?? DEFAULT_PART_SIZE, Math.ceil(size / MAX_PARTS / MiB) * MiB);
    const up = await startUpload(settings, key, { ...options, partSize });
    try {
        for await (const chunk of createReadStream(file, { highWaterMark: MiB }))
            await up.write(chunk);
        return await up.complete();
    }
    catch (e) {
        await up.abort().catch(() => undefined);
        throw e;
    }
}
/**
 * Aborts the multipart uploads of keys starting with `keyPrefix` that were started before `initiatedBefore`
 * (default: now) and never completed: what a store that died mid-upload kept. Returns how many were aborted.
 * MinIO lists only the uploads of the exact key given, so pass the key (say, from the post step of the run that
 * failed); MinIO also drops unfinished uploads itself after 24 hours (api stale_uploads_expiry).
 */
async function abortUnfinishedUploads(settings, keyPrefix, options = {}) {
    const s3 = await s3Client(settings, options);
    const before = (options.initiatedBefore ?? new Date()).getTime();
    const op = {
        verb: 'abort of unfinished uploads',
        bucket: settings.bucket,
        key: keyPrefix,
        endpoint: settings.endpoint
    };
    let aborted = 0;
    try {
        let keyMarker;
        let uploadIdMarker;
        for (;;) {
            const page = await s3.client.send(new s3.sdk.ListMultipartUploadsCommand({
                Bucket: settings.bucket,
                Prefix: keyPrefix,
                ...(keyMarker ? { KeyMarker: keyMarker } : {}),
                ...(uploadIdMarker ? { UploadIdMarker: uploadIdMarker } : {})
            }));
            for (const u of page.Uploads ?? []) {
                if (!u.Key || !u.UploadId || (u.Initiated && u.Initiated.getTime() > before))
                    continue;
                await s3.client.send(new s3.sdk.AbortMultipartUploadCommand({ Bucket: settings.bucket, Key: u.Key, UploadId: u.UploadId }));
                aborted++;
            }
            if (!page.IsTruncated)
                return aborted;
            keyMarker = page.NextKeyMarker;
            uploadIdMarker = page.NextUploadIdMarker;
        }
    }
    catch (e) {
        throw s3Failure(e, op);
    }
    finally {
        s3.client.destroy();
    }
}
/**
 * The checks startUpload makes, alone and at once: the backup runs them before taking the snapshot, so that a wrong
 * bucket, refused credentials or a bucket without Object Lock fail in seconds rather than after the save.
 */
async function checkDestination(settings, key, options = {}) {
    const s3 = await s3Client(settings, options);
    try {
        await upload_checkBucket(s3, settings, { verb: 'upload', bucket: settings.bucket, key, endpoint: settings.endpoint });
    }
    finally {
        s3.client.destroy();
    }
}
/** Fails with one line, before any byte is sent, when the bucket is missing or refuses us, or lacks Object Lock. */
async function upload_checkBucket(s3, settings, op) {
    // A GET, not HeadBucket: a HEAD's error has no body, so it cannot tell wrong credentials from a missing permission.
    // This one needs s3:ListBucketMultipartUploads, which abortUnfinishedUploads() needs anyway.
    try {
        await s3.client.send(new s3.sdk.ListMultipartUploadsCommand({ Bucket: settings.bucket, Prefix: op.key ?? '', MaxUploads: 1 }));
    }
    catch (e) {
        throw s3Failure(e, { ...op, verb: 'upload (checking the bucket)' });
    }
    if (!settings.objectLock)
        return;
    let enabled;
    try {
        const res = await s3.client.send(new s3.sdk.GetObjectLockConfigurationCommand({ Bucket: settings.bucket }));
        enabled = res.ObjectLockConfiguration?.ObjectLockEnabled;
    }
    catch (e) {
        const name = e?.name;
        if (name !== 'ObjectLockConfigurationNotFoundError') {
            throw s3Failure(e, { ...op, verb: 'upload (checking the bucket for Object Lock)' });
        }
    }
    if (enabled !== 'Enabled') {
        throw new ConfigurationError(`upload of s3://${settings.bucket}/${op.key ?? ''} refused: bucket ${settings.bucket} has no Object Lock, so s3-object-lock-mode cannot be applied; create the bucket with Object Lock enabled, or unset s3-object-lock-mode`);
    }
}

;// CONCATENATED MODULE: ./src/s3/index.ts
/** The offsite copy to S3 or an S3-compatible store: settings, upload after the gate, download for a restore. */






;// CONCATENATED MODULE: ./src/format/manifest.ts
/**
 * manifest.json: the non-secret facts a backup stores beside its file, so that anyone can check and restore it with
 * public tools. The backup writes it with buildManifest; a restore reads the facts it checks with parseManifest.
 */


/** The format field, and the version: a reader refuses a manifest that names another. */
const MANIFEST_FORMAT = 'etcd-snapshot-action/manifest/v1';
function buildManifest(facts) {
    const { member, tools, taken, file, status, encryption, native } = facts;
    return {
        format: MANIFEST_FORMAT,
        artifactName: facts.artifactName,
        file: {
            name: facts.fileName,
            size: file.fileSize,
            sha256: file.fileSha256,
            layers: describeLayers(facts.compression, encryption),
            compression: facts.compression,
            encryption: encryptionLabel(encryption),
            recipients: encryption.kind === 'age-recipients' ? encryption.recipientStrings : []
        },
        snapshot: {
            size: file.snapshotSize,
            sha256: file.snapshotTrailerSha256,
            revision: status.revision,
            totalKey: status.totalKey,
            totalSize: status.totalSize,
            hash: status.hash,
            liveKeys: native.liveKeys,
            compactRevision: native.compactRevision,
            hashKV: native.hashKV ?? null,
            verifiedBy: ['native', status.tool]
        },
        cluster: {
            hashKV: facts.hashKV.map(h => ({ endpoint: h.endpoint, outcome: h.outcome, hash: h.hash ?? null })),
            restoreDrill: facts.drill
                ? { passed: true, seconds: facts.drill.durations.total / 1000, etcdVersion: facts.drill.etcdVersion }
                : null
        },
        kubernetes: native.kubernetes,
        etcd: {
            endpoint: member.endpoint,
            clusterId: member.clusterId,
            memberId: member.memberId,
            serverVersion: member.version,
            etcdctlVersion: tools.etcdctl.version,
            etcdutlVersion: tools.etcdutl?.version ?? null,
            revisionBefore: taken.revisionBefore,
            revisionAfter: taken.revisionAfter
        },
        startedAt: taken.startedAt.toISOString(),
        snapshotFinishedAt: taken.finishedAt.toISOString(),
        finishedAt: facts.finishedAt.toISOString()
    };
}
/** The manifest as written to the file. */
function serializeManifest(manifest) {
    return `${JSON.stringify(manifest, null, 2)}\n`;
}
/**
 * Reads manifest.json's text. Throws one line (ManifestError) for text that is not JSON, not an object, names
 * another format, or holds a checked fact of the wrong type.
 */
function parseManifest(text) {
    let parsed;
    try {
        parsed = JSON.parse(text);
    }
    catch {
        throw new ManifestError('is not valid JSON');
    }
    if (!isObject(parsed))
        throw new ManifestError('is not a JSON object');
    const format = parsed['format'];
    if (format !== undefined && format !== MANIFEST_FORMAT) {
        throw new ManifestError(`has format ${JSON.stringify(format)}; this release reads ${MANIFEST_FORMAT}`);
    }
    const file = section(parsed, 'file');
    const snapshot = section(parsed, 'snapshot');
    const facts = {
        fileName: field(file, 'file.name', 'string'),
        fileSha256: field(file, 'file.sha256', 'string'),
        snapshotSize: field(snapshot, 'snapshot.size', 'number'),
        snapshotSha256: field(snapshot, 'snapshot.sha256', 'string'),
        revision: field(snapshot, 'snapshot.revision', 'number')
    };
    for (const [name, value] of [
        ['snapshot.size', facts.snapshotSize],
        ['snapshot.revision', facts.revision]
    ]) {
        if (value !== undefined && (!Number.isSafeInteger(value) || value < 0)) {
            throw new ManifestError(`has ${name} ${value}, not a whole number`);
        }
    }
    return facts;
}
function isObject(value) {
    return typeof value === 'object' && value !== null && !Array.isArray(value);
}
function section(manifest, name) {
    const value = manifest[name];
    if (value === undefined || value === null)
        return undefined;
    if (!isObject(value))
        throw new ManifestError(`has a ${name} that is not an object`);
    return value;
}
function field(section, name, type) {
    const value = section?.[name.slice(name.indexOf('.') + 1)];
    if (value === undefined || value === null)
        return undefined;
    if (typeof value !== type)
        throw new ManifestError(`has ${name} ${JSON.stringify(value)}, not a ${type}`);
    return value;
}

;// CONCATENATED MODULE: ./src/restore/source.ts
/**
 * What the restore flow starts from: a backup file on this machine and the facts its manifest recorded. Front ends
 * fetch it: the restore action downloads a workflow artifact (action/artifact.ts, the only user of @actions/artifact)
 * and picks the file out of it here; an S3 object and the manifest.json beside it are fetched into a private dir the
 * same way (s3-source.ts) and handed over as the same FetchedBackup.
 */





/**
 * The facts a manifest file records. One that cannot be read is not a reason to refuse the backup, whose snapshot is
 * verified anyway: `warn` hears why (completing "manifest.json ...") and nothing is recorded.
 */
async function readRecordedFacts(manifestFile, warn) {
    try {
        return parseManifest(await external_node_fs_.promises.readFile(manifestFile, 'utf8'));
    }
    catch (e) {
        if (!(e instanceof ManifestError))
            throw e;
        warn(e.message);
        return undefined;
    }
}
/**
 * The backup file in a downloaded artifact: the one the manifest names, else the only file that is not the manifest.
 * The backup action puts both at the artifact's top level; only a manifest.json there counts, and an artifact that
 * holds another one anywhere is refused rather than guessing which one describes the backup.
 */
async function pickBackupFile(files, root, warn) {
    const manifests = files.filter(f => path.basename(f) === MANIFEST_FILE);
    const manifestFile = manifests.find(f => path.resolve(f) === path.resolve(root, MANIFEST_FILE));
    if (manifests.length > (manifestFile ? 1 : 0)) {
        const listed = manifests.map(f => path.relative(root, f)).join(', ');
        throw new VerificationError(`the artifact holds ${manifests.length === 1 ? 'a manifest.json below its top level' : `${manifests.length} manifest.json files`} (${listed}); a backup made by etcd-snapshot-action has one, at the top: use the artifact the backup step uploaded`);
    }
    const recorded = manifestFile ? await readRecordedFacts(manifestFile, warn) : undefined;
    const candidates = files.filter(f => f !== manifestFile);
    const named = recorded?.fileName ? candidates.find(f => path.basename(f) === recorded.fileName) : undefined;
    if (named)
        return { backupFile: named, recorded };
    const backups = candidates.filter(f => isBackupFileName(f));
    const pick = candidates.length === 1 ? candidates : backups;
    if (pick.length !== 1) {
        const listed = candidates
            .map(f => path.basename(f))
            .slice(0, 5)
            .join(', ') || 'nothing';
        throw new ConfigurationError(`the artifact holds ${listed}; expected one backup file (<name>.db[.zst|.gz][.age]) made by etcd-snapshot-action`);
    }
    return { backupFile: pick[0], recorded };
}

;// CONCATENATED MODULE: ./src/restore/s3-source.ts
/**
 * A backup fetched from S3 (or an S3-compatible store) for the restore: the backup file's object and the
 * manifest.json beside it, downloaded into a private dir the caller made and removes. The object's bytes are checked
 * against the SHA-256 the store kept (s3/download.ts); the manifest's facts are checked by the restore flow, exactly
 * as for an artifact.
 */





/**
 * The source an s3-uri names, or undefined when it is empty (another setting given without it is refused). `uriName`
 * and `versionName` name the input or flag in messages; the endpoint, region and path style are read as the backup
 * action reads them.
 */
function parseS3Source(inputs, uriName = 's3-uri', versionName = 's3-version-id') {
    const uri = inputs.uri.trim();
    const versionId = (inputs.versionId ?? '').trim();
    if (!uri) {
        if (versionId)
            throw new errors_ConfigurationError(`${versionName} is set but ${uriName} is empty: set ${uriName} or remove it`);
        parseS3Settings({ endpoint: inputs.endpoint, region: inputs.region });
        return undefined;
    }
    const { key } = parseS3Uri(uri, uriName);
    const name = key.slice(key.lastIndexOf('/') + 1);
    if (name === '' || name === file_name_MANIFEST_FILE) {
        throw new errors_ConfigurationError(`${uriName} must name the backup file's object (s3://bucket/prefix/<name>/<name>.db.zst.age, the backup step's s3-uri output), not ${name ? 'its manifest' : 'a prefix'}`);
    }
    if (versionId && !/^[\x21-\x7e]{1,1024}$/.test(versionId)) {
        throw new errors_ConfigurationError(`${versionName} must be a version ID as the store gave it (printable, no spaces)`);
    }
    const settings = parseS3Settings({
        uri,
        endpoint: inputs.endpoint,
        region: inputs.region,
        forcePathStyle: inputs.forcePathStyle
    });
    const access = { forcePathStyle: settings?.forcePathStyle ?? false };
    if (settings?.endpoint)
        access.endpoint = settings.endpoint;
    if (settings?.region)
        access.region = settings.region;
    return versionId ? { uri, access, versionId } : { uri, access };
}
/**
 * Downloads the backup file's object into `dir` (which must exist, private to this run) under its own name, then the
 * manifest.json beside it when there is one. `warn` hears, completing "manifest.json ...", why no facts were read.
 */
async function fetchS3Backup(source, dir, warn) {
    const { key } = parseS3Uri(source.uri);
    const backupFile = external_node_path_.join(dir, key.slice(key.lastIndexOf('/') + 1));
    const object = await downloadObject(source.access, source.uri, backupFile, source.versionId ? { versionId: source.versionId } : {});
    const manifest = manifestUri(source.uri);
    if (!(await objectExists(source.access, manifest))) {
        warn(`is not beside it (${manifest}): the file's sha256 and the snapshot's revision cannot be checked against what the backup recorded; the snapshot is still verified`);
        return { backupFile, object, manifest: false };
    }
    const manifestFile = external_node_path_.join(dir, file_name_MANIFEST_FILE);
    await downloadObject(source.access, manifest, manifestFile);
    const recorded = await readRecordedFacts(manifestFile, why => warn(`at ${manifest} ${why}; ignoring it`));
    return { backupFile, object, manifest: true, ...(recorded ? { recorded } : {}) };
}
/**
 * Whether the object is there: HEAD answers 404 for a missing key (AWS answers 403 instead when the credentials may
 * not list the bucket, which fails here as access denied rather than passing for a missing manifest).
 */
async function objectExists(access, uri) {
    const { bucket, key } = parseS3Uri(uri);
    const s3 = await client_s3Client(access);
    try {
        await s3.client.send(new s3.sdk.HeadObjectCommand({ Bucket: bucket, Key: key }));
        return true;
    }
    catch (e) {
        const status = e?.$metadata?.httpStatusCode;
        if (status === 404)
            return false;
        throw errors_s3Failure(e, { verb: 'download', bucket, key, endpoint: access.endpoint });
    }
    finally {
        s3.client.destroy();
    }
}

;// CONCATENATED MODULE: ./src/cli/s3.ts
/** A backup given as s3://bucket/key instead of a file: the flags that reach the store, and the download. */







const S3_OPTIONS = {
    's3-endpoint': { type: 'string' },
    's3-region': { type: 'string' },
    's3-force-path-style': { type: 'boolean' },
    's3-version-id': { type: 'string' }
};
/** The usage lines of the S3 flags, their descriptions starting at column `width`. */
function s3Usage(width) {
    const flags = [
        ['--s3-endpoint URL', 'an S3-compatible store (https://host[:port]); default AWS S3'],
        ['--s3-region REGION', "the bucket's region (default AWS_REGION; us-east-1 with --s3-endpoint)"],
        ['--s3-force-path-style', 'address the bucket as URL/bucket (the default with --s3-endpoint)'],
        ['--s3-version-id ID', 'a version of the object other than the newest']
    ];
    return [
        "  <backup-file> may be s3://bucket/key (the backup action's s3-uri output); credentials from AWS_* variables:",
        ...flags.map(([flag, what]) => `  ${flag.padEnd(width - 2)}${what}`)
    ];
}
const isS3Uri = (input) => input.startsWith('s3://');
/** The S3 object `input` names, or undefined for a file; an --s3-* flag beside a file is a usage error. */
function s3SourceFromArgs(input, parsed) {
    if (!isS3Uri(input)) {
        const stray = Object.keys(S3_OPTIONS).find(o => parsed.value(o) !== undefined || parsed.has(o));
        if (stray)
            throw new UsageError(`--${stray} applies only to an s3:// backup`);
        return undefined;
    }
    try {
        return parseS3Source({
            uri: input,
            endpoint: parsed.value('s3-endpoint'),
            region: parsed.value('s3-region'),
            forcePathStyle: parsed.has('s3-force-path-style') ? 'true' : undefined,
            versionId: parsed.value('s3-version-id')
        }, 'the S3 URI', '--s3-version-id');
    }
    catch (e) {
        if (!(e instanceof errors_ConfigurationError))
            throw e;
        throw new UsageError(errors_errorMessage(e).replace(/^s3-(endpoint|region)\b/, '--s3-$1'));
    }
}
/**
 * Downloads the object into a new private dir in `parent` (recorded in `created`, so the caller's cleanup removes it),
 * and says so on stdout; warnings about its manifest go to stderr.
 */
async function downloadS3Backup(source, parent, created, io) {
    await external_node_fs_.promises.mkdir(parent, { recursive: true });
    const dir = await makePrivateDir(parent, '.etcd-snapshot-download-');
    created.add(dir);
    const got = await fetchS3Backup(source, dir, why => io.stderr.write(`warning: manifest.json ${why}\n`));
    const version = got.object.versionId ? ` (version ${got.object.versionId})` : '';
    io.stdout.write(`downloaded ${source.uri}${version}: ${formatBytes(got.object.size)}, sha256 ${got.object.sha256} (matches the store's checksum)${got.manifest ? ', with its manifest.json' : ''}\n`);
    return got;
}
/** The name of the object's file: the last segment of its key. */
const objectFileName = (uri) => external_node_path_.posix.basename(uri);

;// CONCATENATED MODULE: ./src/cancel.ts

/**
 * A cancelled job (SIGINT, then SIGTERM) or Ctrl-C: stop the etcd tools this process started, remove what the run
 * created at once rather than trusting a post step to run, say so, and exit. Returns what removes the handler.
 */
function cleanUpOnCancel(cleanup, say, exitCode) {
    const handler = (signal) => {
        killRunningTools();
        cleanup.removeAllSync();
        say(signal);
        process.exit(exitCode);
    };
    process.once('SIGINT', handler);
    process.once('SIGTERM', handler);
    return () => {
        process.removeListener('SIGINT', handler);
        process.removeListener('SIGTERM', handler);
    };
}

;// CONCATENATED MODULE: ./src/cli/decrypt.ts
/**
 * `etcd-snapshot decrypt`: turns a downloaded backup file back into a plain etcd snapshot (decrypts, decompresses,
 * recognising each layer from the bytes) and checks the result with the native verifier.
 */









const decryptUsage = [
    'etcd-snapshot decrypt <backup-file> (--identity FILE | --passphrase-file FILE) [-o OUT.db]',
    '',
    '  --identity FILE         age identity file (AGE-SECRET-KEY-1..., from age-keygen); repeatable',
    '  --passphrase-file FILE  file whose first line is the passphrase of a passphrase-encrypted backup',
    `  --max-work-factor N     the highest scrypt work factor a passphrase file may use (default ${DEFAULT_MAX_WORK_FACTOR})`,
    '  -o, --output OUT.db     where to write the snapshot (0600, must not exist); default: next to the backup file,',
    '                          its name without .age/.zst/.gz (for an s3:// backup: in the current directory)',
    ...s3Usage(26),
    '',
    'Layers are recognised from the file itself (age, zstd, gzip, or a plain snapshot). The snapshot is written and',
    'verified under a temporary name beside OUT.db and takes that name only once it is sound: nothing is left behind',
    'on a wrong key, a tampered or truncated file, corrupt compression or a snapshot that fails verification.',
    'Exit status: 0 a valid snapshot was written, 1 failure, 2 usage error.'
].join('\n');
const decryptCommand = {
    summary: 'decrypt and decompress a backup file into a plain etcd snapshot, and verify it',
    usage: decryptUsage,
    run: decrypt
};
async function decrypt(args, io) {
    let input;
    let output;
    let key;
    let s3;
    try {
        const parsed = parseCommandArgs(args, { ...KEY_OPTIONS, output: { type: 'string', short: 'o' }, ...S3_OPTIONS });
        if (parsed.positionals.length !== 1) {
            throw new UsageError(parsed.positionals.length
                ? `expected one backup file, got ${parsed.positionals.length}`
                : 'missing the backup file');
        }
        input = parsed.positionals[0];
        s3 = s3SourceFromArgs(input, parsed);
        if (!s3)
            requireFile('backup file', input);
        output =
            parsed.value('output') ??
                (s3 ? plaintextName(objectFileName(input)) : external_node_path_.join(external_node_path_.dirname(input), plaintextName(external_node_path_.basename(input))));
        if (!s3 && external_node_path_.resolve(output) === external_node_path_.resolve(input))
            throw new UsageError(`${input} would be its own output; give -o OUT.db`);
        key = loadKey(parsed);
    }
    catch (e) {
        return argumentFailure('decrypt', decryptUsage, e, io);
    }
    // The download of an s3:// backup, in a private dir beside the output; removed whatever happens.
    const created = new CreatedPaths();
    const stopListening = s3
        ? cleanUpOnCancel(created, signal => io.stderr.write(`etcd-snapshot decrypt: interrupted (${signal})\n`), 130)
        : undefined;
    try {
        // The plaintext takes its name only once it is verified: a bad one is never left where a restore would find it.
        const name = s3 ? objectFileName(input) : external_node_path_.basename(input);
        const backup = s3
            ? await downloadS3Backup(s3, external_node_path_.dirname(external_node_path_.resolve(output)), created, io)
            : { backupFile: input };
        const { report } = await restoreBackup({
            backup,
            key,
            output: { path: output, whenTaken: 'remove it or choose another output path with -o' },
            unsound: `${name} does not hold a sound etcd snapshot, nothing was written`,
            report: {
                unpacked: unpacked => {
                    const layers = unpacked.layers.join(' + ') || 'no layers: a plain snapshot, copied';
                    io.stdout.write(`decrypted ${name} (${layers}), ${formatBytes(unpacked.outputSize)}; verifying it\n`);
                    if (key && !unpacked.layers.includes('age'))
                        io.stderr.write(`warning: ${name} was not encrypted; the key was not needed\n`);
                }
            }
        });
        io.stdout.write(`wrote ${output}\n`);
        io.stdout.write(`valid etcd snapshot: revision ${report.status.revision}, ${report.liveKeys} live keys, sha256 ${report.sha256}\n`);
        return EXIT_OK;
    }
    catch (e) {
        io.stderr.write(failureLine('decrypt', e));
        return EXIT_FAILURE;
    }
    finally {
        await created.removeAll();
        stopListening?.();
    }
}

;// CONCATENATED MODULE: ./src/cli/restore.ts
/**
 * `etcd-snapshot restore`: for an operator on a control-plane node with the downloaded backup file and a key. It
 * decrypts and decompresses into a private temp dir beside the data dir (the data dir's file system has room for a
 * copy of the snapshot, /tmp may be a small tmpfs), verifies the snapshot, restores it, and removes the plaintext.
 */








const restoreUsage = [
    'etcd-snapshot restore <backup-file> --data-dir DIR [--identity FILE | --passphrase-file FILE] [etcd flags]',
    '',
    '  --data-dir DIR                     new etcd data dir (must not exist, or be empty); made 0700',
    '  --identity FILE                    age identity file (repeatable); --passphrase-file FILE for a passphrase',
    `  --max-work-factor N                the highest scrypt work factor a passphrase file may use (default ${DEFAULT_MAX_WORK_FACTOR})`,
    "  --name NAME                        this member's name, as in its etcd manifest (kubeadm: the node name)",
    '  --initial-cluster N1=URL,N2=URL    every member of the restored cluster (the same on every member)',
    "  --initial-advertise-peer-urls URL  this member's peer URL (default: its URL in --initial-cluster)",
    '  --initial-cluster-token TOKEN      token of the restored cluster (the same on every member)',
    `  --bump-revision N                  add N to the revision and mark older ones compacted (default ${DEFAULT_BUMP_REVISION}, as`,
    '                                     Kubernetes needs; 0 turns it off; needs etcdutl 3.5.10+ / etcdctl 3.4.27+)',
    '  --mark-compacted                   accepted for etcdutl compatibility; implied by --bump-revision',
    '  --etcdctl PATH, --etcdutl PATH     the etcd tools (default: found on PATH; etcdutl is used when present)',
    "  --skip-hash-check                  restore a file with no sha256 trailer: a copy of a member's member/snap/db",
    '                                     (its structure is still verified; nothing shows it is unchanged)',
    ...s3Usage(37),
    '',
    'The backup may be age-encrypted, zstd or gzip compressed, or a plain snapshot. It is verified before the restore.',
    'On failure only what this run created is removed; a data dir that was there (empty) stays.',
    'Exit status: 0 restored, 1 failure (one line on stderr), 2 usage error.'
].join('\n');
const restoreCommand = {
    summary: 'decrypt, verify and restore a backup into a new etcd data dir (etcdutl/etcdctl snapshot restore)',
    usage: restoreUsage,
    run: restore
};
const OPTIONS = {
    ...KEY_OPTIONS,
    'data-dir': { type: 'string' },
    name: { type: 'string' },
    'initial-cluster': { type: 'string' },
    'initial-advertise-peer-urls': { type: 'string' },
    'initial-cluster-token': { type: 'string' },
    'bump-revision': { type: 'string' },
    'mark-compacted': { type: 'boolean' },
    'skip-hash-check': { type: 'boolean' },
    etcdctl: { type: 'string' },
    etcdutl: { type: 'string' },
    ...S3_OPTIONS
};
function parseRestoreArgs(args) {
    const parsed = parseCommandArgs(args, OPTIONS);
    if (parsed.positionals.length !== 1) {
        throw new UsageError(parsed.positionals.length
            ? `expected one backup file, got ${parsed.positionals.length}`
            : 'missing the backup file');
    }
    const input = parsed.positionals[0];
    const s3 = s3SourceFromArgs(input, parsed);
    if (!s3)
        requireFile('backup file', input);
    const one = (name) => parsed.value(name);
    const dataDir = one('data-dir');
    if (!dataDir)
        throw new UsageError('--data-dir is required: the new etcd data dir to restore into');
    const bumpText = one('bump-revision');
    if (bumpText !== undefined && !/^\d+$/.test(bumpText))
        throw new UsageError(`--bump-revision must be a whole number, got ${JSON.stringify(bumpText)}`);
    const bumpRevision = bumpText === undefined ? DEFAULT_BUMP_REVISION : Number(bumpText);
    if (parsed.has('mark-compacted') && bumpRevision === 0) {
        throw new UsageError('--mark-compacted needs --bump-revision greater than 0 (etcd marks the old revisions compacted exactly when it bumps)');
    }
    return {
        input,
        ...(s3 ? { s3 } : {}),
        key: loadKey(parsed),
        skipHashCheck: parsed.has('skip-hash-check'),
        restore: {
            dataDir: external_node_path_.resolve(dataDir),
            name: one('name'),
            initialCluster: one('initial-cluster'),
            initialAdvertisePeerUrls: one('initial-advertise-peer-urls'),
            initialClusterToken: one('initial-cluster-token'),
            bumpRevision,
            tools: {
                etcdctl: one('etcdctl') ?? 'etcdctl',
                etcdutl: one('etcdutl') ?? 'etcdutl',
                etcdutlExplicit: one('etcdutl') !== undefined
            }
        }
    };
}
async function restore(args, io) {
    let opts;
    try {
        opts = parseRestoreArgs(args);
    }
    catch (e) {
        return argumentFailure('restore', restoreUsage, e, io);
    }
    // What this run made, recorded once it exists; on failure or a signal only these go, never a path that was there.
    const created = new CreatedPaths();
    const stopListening = cleanUpOnCancel(created, signal => io.stderr.write(`etcd-snapshot restore: interrupted (${signal}); the plaintext and the partial data dir were removed\n`), 130);
    try {
        const name = opts.s3 ? objectFileName(opts.input) : external_node_path_.basename(opts.input);
        // The encrypted download goes beside the data dir too, in its own private dir removed with the rest.
        if (opts.s3)
            inspectDataDirSync(opts.restore.dataDir);
        const backup = opts.s3
            ? await downloadS3Backup(opts.s3, external_node_path_.dirname(opts.restore.dataDir), created, io)
            : { backupFile: opts.input };
        const { report, restored: result } = await restoreBackup({
            backup,
            key: opts.key,
            skipHashCheck: opts.skipHashCheck,
            restore: opts.restore,
            unsound: 'the snapshot is not sound, nothing was restored',
            created,
            report: {
                unpacked: unpacked => io.stdout.write(`decrypted ${name} (${unpacked.layers.join(' + ')})\n`),
                verified: verified => io.stdout.write(`verified: revision ${verified.status.revision}, ${verified.liveKeys} live keys, sha256 ${verified.sha256 || 'none (no trailer)'}\n`)
            }
        });
        for (const w of result.warnings)
            io.stderr.write(`warning: ${w}\n`);
        const bumped = result.bumpedBy
            ? `; revision bumped by ${result.bumpedBy} to ${report.status.revision + result.bumpedBy} and marked compacted`
            : '';
        io.stdout.write(`restored into ${result.dataDir} with ${result.tool.name} ${result.tool.version}: member ${result.name} (${result.initialAdvertisePeerUrls}) of ${result.initialCluster}${bumped}\n`);
        return EXIT_OK;
    }
    catch (e) {
        io.stderr.write(failureLine('restore', e));
        return EXIT_FAILURE;
    }
    finally {
        await created.removeAll();
        stopListening();
    }
}

;// CONCATENATED MODULE: ./src/cli/index.ts
/**
 * The `etcd-snapshot` command line: tools for the day a backup is needed. Each subcommand is a function from its
 * arguments to an exit code; `run` dispatches and never throws.
 *
 * Exit codes: 0 success (a valid snapshot), 1 the snapshot is invalid, 2 usage error or a file that cannot be read.
 */






/** verify exits 1 when the snapshot is invalid, the code every command uses for a failure. */
const EXIT_INVALID = EXIT_FAILURE;
const COMMANDS = {
    verify: {
        summary: 'check an etcd snapshot file (structure, schema, sha256 trailer) and summarise what it holds',
        usage: [
            'etcd-snapshot verify <snapshot.db> [--json] [--min-keys N] [--required-key PREFIX]... [--skip-hash-check]',
            '',
            '  --json              print the full report as JSON (valid, errors, status, liveKeys, sha256, kubernetes, ...)',
            '  --min-keys N        invalid when the snapshot has fewer than N live keys',
            '  --required-key P    invalid when no live key starts with P (repeatable)',
            "  --skip-hash-check   accept a file without etcd's sha256 trailer (a copy of a member's member/snap/db);",
            '                      its structure is still checked. A trailer that is there is checked all the same.',
            '',
            'Exit status: 0 valid, 1 invalid (the first line says what is wrong and where), 2 usage error or unreadable file.'
        ].join('\n'),
        run: verifyCommand
    },
    decrypt: decryptCommand,
    restore: restoreCommand
};
function usage() {
    const lines = ['usage: etcd-snapshot <command> [arguments]', '', 'commands:'];
    for (const [name, cmd] of Object.entries(COMMANDS))
        lines.push(`  ${name.padEnd(10)} ${cmd.summary}`);
    lines.push('', "Run 'etcd-snapshot <command> --help' for a command's options.");
    return lines.join('\n') + '\n';
}
const defaultIO = { stdout: process.stdout, stderr: process.stderr };
/** Run the CLI with argv (without node and script); resolves to the exit code. */
async function run(argv, io = defaultIO) {
    const [name, ...args] = argv;
    if (name === undefined || name === '') {
        io.stderr.write(usage());
        return EXIT_USAGE;
    }
    if (name === '--help' || name === '-h' || name === 'help') {
        io.stdout.write(usage());
        return EXIT_OK;
    }
    const cmd = COMMANDS[name];
    if (!cmd) {
        io.stderr.write(`etcd-snapshot: unknown command ${quoted(name)}\n${usage()}`);
        return EXIT_USAGE;
    }
    if (args.includes('--help') || args.includes('-h')) {
        io.stdout.write(`usage: ${cmd.usage}\n`);
        return EXIT_OK;
    }
    try {
        return await cmd.run(args, io);
    }
    catch (e) {
        io.stderr.write(`etcd-snapshot ${name}: ${printable(errors_errorMessage(e))}\n`);
        return EXIT_INVALID;
    }
}
function parseVerifyArgs(args) {
    const parsed = parseCommandArgs(args, {
        json: { type: 'boolean' },
        'min-keys': { type: 'string' },
        'required-key': { type: 'string', multiple: true },
        'skip-hash-check': { type: 'boolean' }
    });
    const minKeys = parsed.value('min-keys');
    if (minKeys !== undefined && !/^\d+$/.test(minKeys))
        throw new UsageError(`--min-keys must be a whole number, got ${JSON.stringify(minKeys)}`);
    const files = parsed.positionals;
    if (files.length !== 1)
        throw new UsageError(files.length === 0 ? 'missing the snapshot file' : `expected one snapshot file, got ${files.length}`);
    return {
        file: files[0],
        json: parsed.has('json'),
        minKeys: minKeys === undefined ? undefined : Number(minKeys),
        requiredKeys: parsed.values('required-key'),
        skipHashCheck: parsed.has('skip-hash-check')
    };
}
async function verifyCommand(args, io) {
    let parsed;
    try {
        parsed = parseVerifyArgs(args);
    }
    catch (e) {
        if (!(e instanceof UsageError))
            throw e;
        return argumentFailure('verify', COMMANDS.verify.usage, e, io);
    }
    let report;
    try {
        report = await verifySnapshot(parsed.file, {
            minKeys: parsed.minKeys,
            requiredKeys: parsed.requiredKeys,
            skipHashCheck: parsed.skipHashCheck
        });
    }
    catch (e) {
        if (!(e instanceof SnapshotReadError))
            throw e;
        io.stderr.write(`etcd-snapshot verify: ${printable(e.message)}\n`);
        return EXIT_USAGE;
    }
    if (parsed.json)
        io.stdout.write(terminalJson(report) + '\n');
    else
        io.stdout.write(describeReport(report));
    return report.valid ? EXIT_OK : EXIT_INVALID;
}
/** Human-readable report; the first line is the verdict (and for an invalid snapshot, what and where). */
function describeReport(r) {
    const lines = [];
    if (!r.valid) {
        lines.push(`invalid snapshot ${r.path}: ${r.errors[0]}`);
        for (const e of r.errors.slice(1))
            lines.push(`  also: ${e}`);
        for (const w of r.warnings)
            lines.push(`  warning: ${w}`);
        return lines.map(printable).join('\n') + '\n';
    }
    const s = r.status;
    const compacted = r.compactRevision >= 0 ? `, compacted at ${r.compactRevision}` : '';
    lines.push(r.sha256 ? `valid etcd snapshot ${r.path}` : `valid etcd database ${r.path} (no sha256 trailer)`);
    lines.push(`  revision ${s.revision}${compacted}; ${r.liveKeys} live keys, ${r.keyRevisions} key revisions`);
    lines.push(`  status: hash ${s.hash}, totalKey ${s.totalKey}, totalSize ${s.totalSize} (as etcdctl 3.4 snapshot status); live keys ${r.liveKeys} (etcdutl 3.6 totalKey)`);
    if (r.hashKV)
        lines.push(`  hashkv: ${r.hashKV.hash} at revision ${r.hashKV.revision} (compact revision ${r.hashKV.compactRevision})`);
    lines.push(`  sha256 trailer: ${r.sha256 || "none (a copy of a member's database)"}`);
    const k = r.kubernetes;
    if (k.objects > 0) {
        const top = Object.entries(k.resources)
            .sort((a, b) => b[1] - a[1])
            .slice(0, 8)
            .map(([name, n]) => `${name} ${n}`)
            .join(', ');
        lines.push(`  kubernetes: ${k.objects} objects in ${Object.keys(k.resources).length} resources (${top}); ${k.namespaceCount} namespaces`);
        lines.push(`  secrets: ${k.secrets.total} (${k.secrets.encrypted} encrypted at rest, ${k.secrets.plaintext} plain text)`);
    }
    for (const req of r.requiredKeys)
        lines.push(`  required ${quoted(req.prefix)}: ${req.liveKeys} live keys`);
    for (const w of r.warnings)
        lines.push(`warning: ${w}`);
    // Paths, resource names and keys come from the file and the user: nothing in them may act on the terminal.
    return lines.map(printable).join('\n') + '\n';
}


/***/ }),

/***/ 181:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("buffer");

/***/ }),

/***/ 4434:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("events");

/***/ }),

/***/ 6698:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:async_hooks");

/***/ }),

/***/ 1421:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:child_process");

/***/ }),

/***/ 7598:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:crypto");

/***/ }),

/***/ 3024:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:fs");

/***/ }),

/***/ 1455:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:fs/promises");

/***/ }),

/***/ 7067:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:http");

/***/ }),

/***/ 2467:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:http2");

/***/ }),

/***/ 4708:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:https");

/***/ }),

/***/ 8161:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:os");

/***/ }),

/***/ 6760:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:path");

/***/ }),

/***/ 1708:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:process");

/***/ }),

/***/ 7075:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:stream");

/***/ }),

/***/ 7975:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:util");

/***/ }),

/***/ 8522:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:zlib");

/***/ }),

/***/ 2203:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("stream");

/***/ })

/******/ });
/************************************************************************/
/******/ // The module cache
/******/ var __webpack_module_cache__ = {};
/******/ 
/******/ // The require function
/******/ function __nccwpck_require__(moduleId) {
/******/ 	// Check if module is in cache
/******/ 	var cachedModule = __webpack_module_cache__[moduleId];
/******/ 	if (cachedModule !== undefined) {
/******/ 		return cachedModule.exports;
/******/ 	}
/******/ 	// Create a new module (and put it into the cache)
/******/ 	var module = __webpack_module_cache__[moduleId] = {
/******/ 		// no module.id needed
/******/ 		// no module.loaded needed
/******/ 		exports: {}
/******/ 	};
/******/ 
/******/ 	// Execute the module function
/******/ 	var threw = true;
/******/ 	try {
/******/ 		__webpack_modules__[moduleId].call(module.exports, module, module.exports, __nccwpck_require__);
/******/ 		threw = false;
/******/ 	} finally {
/******/ 		if(threw) delete __webpack_module_cache__[moduleId];
/******/ 	}
/******/ 
/******/ 	// Return the exports of the module
/******/ 	return module.exports;
/******/ }
/******/ 
/******/ // expose the modules object (__webpack_modules__)
/******/ __nccwpck_require__.m = __webpack_modules__;
/******/ 
/************************************************************************/
/******/ /* webpack/runtime/async module */
/******/ (() => {
/******/ 	var webpackQueues = typeof Symbol === "function" ? Symbol("webpack queues") : "__webpack_queues__";
/******/ 	var webpackExports = typeof Symbol === "function" ? Symbol("webpack exports") : "__webpack_exports__";
/******/ 	var webpackError = typeof Symbol === "function" ? Symbol("webpack error") : "__webpack_error__";
/******/ 	var resolveQueue = (queue) => {
/******/ 		if(queue && queue.d < 1) {
/******/ 			queue.d = 1;
/******/ 			queue.forEach((fn) => (fn.r--));
/******/ 			queue.forEach((fn) => (fn.r-- ? fn.r++ : fn()));
/******/ 		}
/******/ 	}
/******/ 	var wrapDeps = (deps) => (deps.map((dep) => {
/******/ 		if(dep !== null && typeof dep === "object") {
/******/ 			if(dep[webpackQueues]) return dep;
/******/ 			if(dep.then) {
/******/ 				var queue = [];
/******/ 				queue.d = 0;
/******/ 				dep.then((r) => {
/******/ 					obj[webpackExports] = r;
/******/ 					resolveQueue(queue);
/******/ 				}, (e) => {
/******/ 					obj[webpackError] = e;
/******/ 					resolveQueue(queue);
/******/ 				});
/******/ 				var obj = {};
/******/ 				obj[webpackQueues] = (fn) => (fn(queue));
/******/ 				return obj;
/******/ 			}
/******/ 		}
/******/ 		var ret = {};
/******/ 		ret[webpackQueues] = x => {};
/******/ 		ret[webpackExports] = dep;
/******/ 		return ret;
/******/ 	}));
/******/ 	__nccwpck_require__.a = (module, body, hasAwait) => {
/******/ 		var queue;
/******/ 		hasAwait && ((queue = []).d = -1);
/******/ 		var depQueues = new Set();
/******/ 		var exports = module.exports;
/******/ 		var currentDeps;
/******/ 		var outerResolve;
/******/ 		var reject;
/******/ 		var promise = new Promise((resolve, rej) => {
/******/ 			reject = rej;
/******/ 			outerResolve = resolve;
/******/ 		});
/******/ 		promise[webpackExports] = exports;
/******/ 		promise[webpackQueues] = (fn) => (queue && fn(queue), depQueues.forEach(fn), promise["catch"](x => {}));
/******/ 		module.exports = promise;
/******/ 		body((deps) => {
/******/ 			currentDeps = wrapDeps(deps);
/******/ 			var fn;
/******/ 			var getResult = () => (currentDeps.map((d) => {
/******/ 				if(d[webpackError]) throw d[webpackError];
/******/ 				return d[webpackExports];
/******/ 			}))
/******/ 			var promise = new Promise((resolve) => {
/******/ 				fn = () => (resolve(getResult));
/******/ 				fn.r = 0;
/******/ 				var fnQueue = (q) => (q !== queue && !depQueues.has(q) && (depQueues.add(q), q && !q.d && (fn.r++, q.push(fn))));
/******/ 				currentDeps.map((dep) => (dep[webpackQueues](fnQueue)));
/******/ 			});
/******/ 			return fn.r ? promise : getResult();
/******/ 		}, (err) => ((err ? reject(promise[webpackError] = err) : outerResolve(exports)), resolveQueue(queue)));
/******/ 		queue && queue.d < 0 && (queue.d = 0);
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/create fake namespace object */
/******/ (() => {
/******/ 	var getProto = Object.getPrototypeOf ? (obj) => (Object.getPrototypeOf(obj)) : (obj) => (obj.__proto__);
/******/ 	var leafPrototypes;
/******/ 	// create a fake namespace object
/******/ 	// mode & 1: value is a module id, require it
/******/ 	// mode & 2: merge all properties of value into the ns
/******/ 	// mode & 4: return value when already ns object
/******/ 	// mode & 16: return value when it's Promise-like
/******/ 	// mode & 8|1: behave like require
/******/ 	__nccwpck_require__.t = function(value, mode) {
/******/ 		if(mode & 1) value = this(value);
/******/ 		if(mode & 8) return value;
/******/ 		if(typeof value === 'object' && value) {
/******/ 			if((mode & 4) && value.__esModule) return value;
/******/ 			if((mode & 16) && typeof value.then === 'function') return value;
/******/ 		}
/******/ 		var ns = Object.create(null);
/******/ 		__nccwpck_require__.r(ns);
/******/ 		var def = {};
/******/ 		leafPrototypes = leafPrototypes || [null, getProto({}), getProto([]), getProto(getProto)];
/******/ 		for(var current = mode & 2 && value; typeof current == 'object' && !~leafPrototypes.indexOf(current); current = getProto(current)) {
/******/ 			Object.getOwnPropertyNames(current).forEach((key) => (def[key] = () => (value[key])));
/******/ 		}
/******/ 		def['default'] = () => (value);
/******/ 		__nccwpck_require__.d(ns, def);
/******/ 		return ns;
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/define property getters */
/******/ (() => {
/******/ 	// define getter functions for harmony exports
/******/ 	__nccwpck_require__.d = (exports, definition) => {
/******/ 		for(var key in definition) {
/******/ 			if(__nccwpck_require__.o(definition, key) && !__nccwpck_require__.o(exports, key)) {
/******/ 				Object.defineProperty(exports, key, { enumerable: true, get: definition[key] });
/******/ 			}
/******/ 		}
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/ensure chunk */
/******/ (() => {
/******/ 	__nccwpck_require__.f = {};
/******/ 	// This file contains only the entry chunk.
/******/ 	// The chunk loading function for additional chunks
/******/ 	__nccwpck_require__.e = (chunkId) => {
/******/ 		return Promise.all(Object.keys(__nccwpck_require__.f).reduce((promises, key) => {
/******/ 			__nccwpck_require__.f[key](chunkId, promises);
/******/ 			return promises;
/******/ 		}, []));
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/get javascript chunk filename */
/******/ (() => {
/******/ 	// This function allow to reference async chunks
/******/ 	__nccwpck_require__.u = (chunkId) => {
/******/ 		// return url for filenames based on template
/******/ 		return "" + chunkId + ".index.js";
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/hasOwnProperty shorthand */
/******/ (() => {
/******/ 	__nccwpck_require__.o = (obj, prop) => (Object.prototype.hasOwnProperty.call(obj, prop))
/******/ })();
/******/ 
/******/ /* webpack/runtime/make namespace object */
/******/ (() => {
/******/ 	// define __esModule on exports
/******/ 	__nccwpck_require__.r = (exports) => {
/******/ 		if(typeof Symbol !== 'undefined' && Symbol.toStringTag) {
/******/ 			Object.defineProperty(exports, Symbol.toStringTag, { value: 'Module' });
/******/ 		}
/******/ 		Object.defineProperty(exports, '__esModule', { value: true });
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/compat */
/******/ 
/******/ if (typeof __nccwpck_require__ !== 'undefined') __nccwpck_require__.ab = new URL('.', import.meta.url).pathname.slice(import.meta.url.match(/^file:\/\/\/\w:/) ? 1 : 0, -1) + "/";
/******/ 
/******/ /* webpack/runtime/import chunk loading */
/******/ (() => {
/******/ 	// no baseURI
/******/ 	
/******/ 	// object to store loaded and loading chunks
/******/ 	// undefined = chunk not loaded, null = chunk preloaded/prefetched
/******/ 	// [resolve, Promise] = chunk loading, 0 = chunk loaded
/******/ 	var installedChunks = {
/******/ 		792: 0
/******/ 	};
/******/ 	
/******/ 	var installChunk = (data) => {
/******/ 		var {ids, modules, runtime} = data;
/******/ 		// add "modules" to the modules object,
/******/ 		// then flag all "ids" as loaded and fire callback
/******/ 		var moduleId, chunkId, i = 0;
/******/ 		for(moduleId in modules) {
/******/ 			if(__nccwpck_require__.o(modules, moduleId)) {
/******/ 				__nccwpck_require__.m[moduleId] = modules[moduleId];
/******/ 			}
/******/ 		}
/******/ 		if(runtime) runtime(__nccwpck_require__);
/******/ 		for(;i < ids.length; i++) {
/******/ 			chunkId = ids[i];
/******/ 			if(__nccwpck_require__.o(installedChunks, chunkId) && installedChunks[chunkId]) {
/******/ 				installedChunks[chunkId][0]();
/******/ 			}
/******/ 			installedChunks[ids[i]] = 0;
/******/ 		}
/******/ 	
/******/ 	}
/******/ 	
/******/ 	__nccwpck_require__.f.j = (chunkId, promises) => {
/******/ 			// import() chunk loading for javascript
/******/ 			var installedChunkData = __nccwpck_require__.o(installedChunks, chunkId) ? installedChunks[chunkId] : undefined;
/******/ 			if(installedChunkData !== 0) { // 0 means "already installed".
/******/ 	
/******/ 				// a Promise means "currently loading".
/******/ 				if(installedChunkData) {
/******/ 					promises.push(installedChunkData[1]);
/******/ 				} else {
/******/ 					if(true) { // all chunks have JS
/******/ 						// setup Promise in chunk cache
/******/ 						var promise = import("./" + __nccwpck_require__.u(chunkId)).then(installChunk, (e) => {
/******/ 							if(installedChunks[chunkId] !== 0) installedChunks[chunkId] = undefined;
/******/ 							throw e;
/******/ 						});
/******/ 						var promise = Promise.race([promise, new Promise((resolve) => (installedChunkData = installedChunks[chunkId] = [resolve]))])
/******/ 						promises.push(installedChunkData[1] = promise);
/******/ 					}
/******/ 				}
/******/ 			}
/******/ 	};
/******/ 	
/******/ 	// no prefetching
/******/ 	
/******/ 	// no preloaded
/******/ 	
/******/ 	// no external install chunk
/******/ 	
/******/ 	// no on chunks loaded
/******/ })();
/******/ 
/************************************************************************/
/******/ 
/******/ // startup
/******/ // Load entry module and return exports
/******/ // This entry module used 'module' so it can't be inlined
/******/ var __webpack_exports__ = __nccwpck_require__(4155);
/******/ __webpack_exports__ = await __webpack_exports__;
/******/ 
