export const id = 766;
export const ids = [766];
export const modules = {

/***/ 76766:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  uploadBackup: () => (/* binding */ uploadBackup)
});

// UNUSED EXPORTS: downloadBackup

// EXTERNAL MODULE: ./node_modules/@actions/artifact/lib/artifact.js + 333 modules
var artifact = __webpack_require__(19044);
// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __webpack_require__(73024);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(76760);
// EXTERNAL MODULE: external "node:stream"
var external_node_stream_ = __webpack_require__(57075);
// EXTERNAL MODULE: external "node:stream/promises"
var promises_ = __webpack_require__(46466);
// EXTERNAL MODULE: external "node:zlib"
var external_node_zlib_ = __webpack_require__(38522);
;// CONCATENATED MODULE: ./src/action/artifact-zip.ts
/**
 * Extracts a downloaded artifact's zip with every entry held to its size. The artifact client's own extraction
 * writes whatever an entry inflates to, so a zip bomb fills the disk, and the client then retries the download
 * five times and reports a transient failure. Here the central directory is read first, an entry that declares more
 * than it could honestly hold is refused before anything is written, and one that inflates past its declared size
 * is stopped there. The backup action stores its files uncompressed (they are compressed and encrypted already).
 */





/**
 * What one entry may expand to: at most this many times its compressed size, plus MAX_EXPANSION_SLACK. Stored and
 * encrypted entries do not grow at all; the factor leaves room for manifest.json and an artifact zipped with deflate.
 */
const MAX_EXPANSION_RATIO = 16;
const MAX_EXPANSION_SLACK = (/* unused pure expression or super */ null && (1 << 20));
const EOCD_SIGNATURE = 0x06054b50;
const ZIP64_LOCATOR_SIGNATURE = 0x07064b50;
const ZIP64_EOCD_SIGNATURE = 0x06064b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const LOCAL_SIGNATURE = 0x04034b50;
const EOCD_SIZE = 22;
const MAX_COMMENT = 0xffff;
/** The zip is not one we can extract safely: malformed, or an entry would expand beyond what it may. */
class artifact_zip_ZipRefusal extends Error {
    name = 'ZipRefusal';
}
/** Extracts `zipFile` into `directory` (which must exist); returns the files written. Removes them on failure. */
async function artifact_zip_extractZip(zipFile, directory) {
    const handle = await fs.open(zipFile, 'r');
    const written = [];
    try {
        const { size: zipSize } = await handle.stat();
        const entries = await readCentralDirectory(handle, zipSize);
        // Everything that can be judged from the central directory is, before anything is written.
        const targets = entries.map(entry => {
            checkDeclaredSize(entry);
            return safeTarget(directory, entry.name);
        });
        for (const [i, entry] of entries.entries()) {
            const target = targets[i];
            if (entry.name.endsWith('/')) {
                await fs.mkdir(target, { recursive: true });
                continue;
            }
            await fs.mkdir(path.dirname(target), { recursive: true });
            const dataStart = await localDataStart(handle, entry, zipSize);
            written.push(target);
            await extractEntry(zipFile, dataStart, entry, target);
        }
        return written;
    }
    catch (e) {
        await Promise.all(written.map(f => fs.rm(f, { force: true })));
        throw e;
    }
    finally {
        await handle.close();
    }
}
async function readAt(handle, position, length) {
    const buf = Buffer.alloc(length);
    const { bytesRead } = await handle.read(buf, 0, length, position);
    if (bytesRead !== length)
        throw new artifact_zip_ZipRefusal(`the zip ends at byte ${position + bytesRead}, inside a record`);
    return buf;
}
async function readCentralDirectory(handle, zipSize) {
    const tailLength = Math.min(zipSize, EOCD_SIZE + MAX_COMMENT);
    const tail = await readAt(handle, zipSize - tailLength, tailLength);
    let at = -1;
    for (let i = tail.length - EOCD_SIZE; i >= 0; i--) {
        if (tail.readUInt32LE(i) === EOCD_SIGNATURE) {
            at = i;
            break;
        }
    }
    if (at < 0)
        throw new artifact_zip_ZipRefusal('it has no end of central directory record (not a zip)');
    let count = tail.readUInt16LE(at + 10);
    let cdSize = tail.readUInt32LE(at + 12);
    let cdOffset = tail.readUInt32LE(at + 16);
    if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
        const eocdPosition = zipSize - tailLength + at;
        if (eocdPosition < 20)
            throw new artifact_zip_ZipRefusal('its zip64 locator is missing');
        const locator = await readAt(handle, eocdPosition - 20, 20);
        if (locator.readUInt32LE(0) !== ZIP64_LOCATOR_SIGNATURE)
            throw new artifact_zip_ZipRefusal('its zip64 locator is missing');
        const record = await readAt(handle, safeNumber(locator.readBigUInt64LE(8)), 56);
        if (record.readUInt32LE(0) !== ZIP64_EOCD_SIGNATURE)
            throw new artifact_zip_ZipRefusal('its zip64 end record is missing');
        count = safeNumber(record.readBigUInt64LE(32));
        cdSize = safeNumber(record.readBigUInt64LE(40));
        cdOffset = safeNumber(record.readBigUInt64LE(48));
    }
    if (cdOffset + cdSize > zipSize)
        throw new artifact_zip_ZipRefusal('its central directory lies beyond the end of the file');
    // Each central directory record is at least 46 bytes: the count cannot make us loop past the directory.
    if (count * 46 > cdSize)
        throw new artifact_zip_ZipRefusal(`its central directory is too small for ${count} entries`);
    const cd = await readAt(handle, cdOffset, cdSize);
    const entries = [];
    let p = 0;
    for (let i = 0; i < count; i++) {
        if (p + 46 > cd.length || cd.readUInt32LE(p) !== CENTRAL_SIGNATURE) {
            throw new artifact_zip_ZipRefusal(`its central directory is malformed at entry ${i + 1}`);
        }
        const nameLength = cd.readUInt16LE(p + 28);
        const extraLength = cd.readUInt16LE(p + 30);
        const commentLength = cd.readUInt16LE(p + 32);
        const end = p + 46 + nameLength + extraLength + commentLength;
        if (end > cd.length)
            throw new artifact_zip_ZipRefusal(`its central directory is malformed at entry ${i + 1}`);
        const entry = {
            name: cd.toString('utf8', p + 46, p + 46 + nameLength),
            flags: cd.readUInt16LE(p + 8),
            method: cd.readUInt16LE(p + 10),
            crc: cd.readUInt32LE(p + 16),
            compressedSize: cd.readUInt32LE(p + 20),
            size: cd.readUInt32LE(p + 24),
            localOffset: cd.readUInt32LE(p + 42)
        };
        readZip64Extra(entry, cd.subarray(p + 46 + nameLength, p + 46 + nameLength + extraLength));
        entries.push(entry);
        p = end;
    }
    return entries;
}
/** The zip64 extra field holds, in this order, only the values whose 32-bit slot is saturated. */
function readZip64Extra(entry, extra) {
    for (let e = 0; e + 4 <= extra.length;) {
        const id = extra.readUInt16LE(e);
        const length = extra.readUInt16LE(e + 2);
        if (id === 0x0001) {
            let q = e + 4;
            const next = () => {
                if (q + 8 > e + 4 + length || q + 8 > extra.length)
                    throw new artifact_zip_ZipRefusal(`${entry.name}: malformed zip64 field`);
                const value = safeNumber(extra.readBigUInt64LE(q));
                q += 8;
                return value;
            };
            if (entry.size === 0xffffffff)
                entry.size = next();
            if (entry.compressedSize === 0xffffffff)
                entry.compressedSize = next();
            if (entry.localOffset === 0xffffffff)
                entry.localOffset = next();
        }
        e += 4 + length;
    }
}
function safeNumber(value) {
    if (value > BigInt(Number.MAX_SAFE_INTEGER))
        throw new artifact_zip_ZipRefusal('a size or offset is beyond 2^53');
    return Number(value);
}
/** The bound on what an entry may expand to, whatever it declares. */
function expansionLimit(compressedSize) {
    return compressedSize * MAX_EXPANSION_RATIO + MAX_EXPANSION_SLACK;
}
function checkDeclaredSize(entry) {
    if (entry.flags & 0x0001)
        throw new artifact_zip_ZipRefusal(`${entry.name} is encrypted inside the zip`);
    if (entry.method !== 0 && entry.method !== 8) {
        throw new artifact_zip_ZipRefusal(`${entry.name} uses zip compression method ${entry.method}; only stored and deflate are read`);
    }
    if (entry.method === 0 && entry.size !== entry.compressedSize) {
        throw new artifact_zip_ZipRefusal(`${entry.name} is stored uncompressed but declares ${entry.size} bytes in ${entry.compressedSize}`);
    }
    const limit = expansionLimit(entry.compressedSize);
    if (entry.size > limit) {
        throw new artifact_zip_ZipRefusal(`${entry.name} would expand to the ${entry.size} bytes it declares from ${entry.compressedSize} compressed, beyond the ${limit} bytes an entry may expand to`);
    }
}
/** Where an entry goes: inside `directory`, never through an absolute path or `..`. */
function safeTarget(directory, name) {
    const parts = name.split('/');
    if (name === '' ||
        name.startsWith('/') ||
        name.includes('\\') ||
        name.includes('\0') ||
        parts.some(part => part === '..' || part === '.')) {
        throw new artifact_zip_ZipRefusal(`an entry is named ${JSON.stringify(name.slice(0, 200))}, which would land outside the download directory`);
    }
    return path.join(directory, ...parts.filter(part => part !== ''));
}
async function localDataStart(handle, entry, zipSize) {
    const header = await readAt(handle, entry.localOffset, 30);
    if (header.readUInt32LE(0) !== LOCAL_SIGNATURE)
        throw new artifact_zip_ZipRefusal(`${entry.name}: its local header is missing`);
    const start = entry.localOffset + 30 + header.readUInt16LE(26) + header.readUInt16LE(28);
    if (start + entry.compressedSize > zipSize)
        throw new artifact_zip_ZipRefusal(`${entry.name}: its data runs past the end of the zip`);
    return start;
}
async function extractEntry(zipFile, dataStart, entry, target) {
    const handle = await fs.open(target, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
    // createReadStream with end < start (an empty entry) would read to the end of the file.
    const source = entry.compressedSize === 0
        ? Readable.from([])
        : createReadStream(zipFile, {
            start: dataStart,
            end: dataStart + entry.compressedSize - 1,
            highWaterMark: 1 << 20
        });
    const stages = [];
    if (entry.method === 8)
        stages.push(zlib.createInflateRaw({ chunkSize: 1 << 20 }));
    await pipeline([source, ...stages, new EntryCheck(entry), createWriteStream('', { fd: handle })]);
}
/** Counts what an entry inflates to, stops it at its declared size, and checks its CRC-32 at the end. */
class EntryCheck extends external_node_stream_.Transform {
    entry;
    total = 0;
    crc = 0;
    constructor(entry) {
        super({ highWaterMark: 1 << 20 });
        this.entry = entry;
    }
    _transform(chunk, _encoding, callback) {
        this.total += chunk.length;
        if (this.total > this.entry.size) {
            callback(new artifact_zip_ZipRefusal(`${this.entry.name} expands beyond the ${this.entry.size} bytes it declares`));
            return;
        }
        this.crc = external_node_zlib_.crc32(chunk, this.crc);
        callback(null, chunk);
    }
    _flush(callback) {
        if (this.total !== this.entry.size) {
            callback(new artifact_zip_ZipRefusal(`${this.entry.name} holds ${this.total} bytes but declares ${this.entry.size}`));
        }
        else if (this.crc >>> 0 !== this.entry.crc) {
            callback(new artifact_zip_ZipRefusal(`${this.entry.name} fails its CRC-32 check`));
        }
        else {
            callback();
        }
    }
}

// EXTERNAL MODULE: ./src/errors.ts
var errors = __webpack_require__(83916);
;// CONCATENATED MODULE: ./src/action/artifact.ts
/**
 * Upload and download of backups as workflow artifacts, through the official @actions/artifact client (artifact
 * service v4). The client reads its configuration from the runner's environment when called (ACTIONS_RUNTIME_TOKEN,
 * ACTIONS_RESULTS_URL, GITHUB_SERVER_URL, GITHUB_RETENTION_DAYS, ACTIONS_ARTIFACT_UPLOAD_*), except GITHUB_API_URL,
 * which @actions/github reads once when it is first imported.
 */





/** Uploads files as one artifact, stored uncompressed in the zip (the backup is already compressed and encrypted). */
async function uploadBackup(opts) {
    const env = actionsRuntime('upload the backup as an artifact', 'set `upload: false` to keep the encrypted file on the runner only');
    if (opts.retentionDays !== undefined &&
        !(Number.isInteger(opts.retentionDays) && opts.retentionDays >= 1 && opts.retentionDays <= 90)) {
        throw new errors/* ConfigurationError */.j1(`retention-days must be a whole number from 1 to 90, got ${opts.retentionDays}`);
    }
    const client = new artifact/* DefaultArtifactClient */.t9();
    const what = `Upload of artifact "${opts.name}"`;
    let result;
    try {
        result = await withTimeout(client.uploadArtifact(opts.name, opts.files, opts.rootDirectory, {
            compressionLevel: 0,
            ...(opts.retentionDays === undefined ? {} : { retentionDays: opts.retentionDays })
        }), opts.timeoutMs, what);
    }
    catch (e) {
        // Our own timeout is already worded; wrapping it again would say "failed: ... failed:".
        if (e instanceof errors/* ArtifactError */.nE)
            throw e;
        throw serviceError(what, e);
    }
    if (result.id === undefined) {
        throw new errors/* ArtifactError */.nE(`${what} failed: the artifact service returned no artifact id; retry the job`);
    }
    return {
        id: result.id,
        size: result.size ?? 0,
        ...(result.digest ? { digest: result.digest } : {}),
        url: `${env.serverUrl}/${env.repository}/actions/runs/${env.runId}/artifacts/${result.id}`
    };
}
/**
 * Downloads an artifact by name or id and extracts it into opts.path: from the current run through the artifact
 * service, or from another run (runId and token) through the GitHub REST API. The zip's sha256 is checked against the
 * digest recorded at upload when the service has one.
 */
async function downloadBackup(opts) {
    if ((opts.name === undefined) === (opts.id === undefined)) {
        throw new ConfigurationError('Give either an artifact name or an artifact id to download, not both or neither');
    }
    const currentRunId = process.env['GITHUB_RUN_ID'];
    const otherRun = opts.runId !== undefined && String(opts.runId) !== currentRunId;
    if (otherRun && !opts.token) {
        throw new ConfigurationError(`Downloading an artifact from workflow run ${opts.runId} needs github-token: pass a token with actions:read on the repository`);
    }
    const findBy = opts.runId !== undefined && opts.token ? crossRunFindBy(opts.runId, opts.token, opts.repository) : undefined;
    if (findBy === undefined) {
        actionsRuntime('download an artifact of this run', 'pass run-id and github-token to fetch an artifact of another run');
    }
    const target = opts.id === undefined ? `artifact "${opts.name}"` : `artifact ${opts.id}`;
    const what = `Download of ${target}${otherRun ? ` from run ${opts.runId}` : ''}`;
    const directory = path.resolve(opts.path);
    const client = new DefaultArtifactClient();
    let artifact;
    let digestMismatch;
    // The client's own extraction writes whatever an entry inflates to (and retries a full disk as if it were a network
    // failure): it only downloads the zip, and extractZip holds each entry to its size.
    await fs.mkdir(directory, { recursive: true });
    const zipDir = await fs.mkdtemp(path.join(directory, '.artifact-zip-'));
    try {
        try {
            const work = (async () => {
                const found = await findArtifact(client, opts, findBy);
                const response = await client.downloadArtifact(found.id, {
                    path: zipDir,
                    skipDecompress: true,
                    ...(found.digest ? { expectedHash: found.digest } : {}),
                    ...(findBy === undefined ? {} : { findBy })
                });
                return [found, response.digestMismatch];
            })();
            [artifact, digestMismatch] = await withTimeout(work, opts.timeoutMs, what);
        }
        catch (e) {
            if (e instanceof ArtifactError)
                throw e;
            throw serviceError(what, e);
        }
        if (digestMismatch) {
            throw new ArtifactError(`${what} failed: the downloaded zip's sha256 differs from the digest recorded at upload (${artifact.digest}); it was damaged in storage or in transit; nothing was extracted, download it again`);
        }
        await extractArtifact(zipDir, directory, what);
    }
    finally {
        await fs.rm(zipDir, { recursive: true, force: true });
    }
    return { path: directory, files: await listFiles(directory), id: artifact.id };
}
/** Extracts the one file the client downloaded into zipDir; a refusal is final, never worth a retry. */
async function extractArtifact(zipDir, directory, what) {
    const downloaded = await fs.readdir(zipDir);
    if (downloaded.length !== 1) {
        throw new ArtifactError(`${what} failed: the client wrote ${downloaded.length} files instead of the zip; retry the job`);
    }
    try {
        await extractZip(path.join(zipDir, downloaded[0]), directory);
    }
    catch (e) {
        if (e instanceof ZipRefusal) {
            throw new ArtifactError(`${what} failed: the artifact's zip is refused, ${e.message}; nothing from it was kept; the backup action did not upload this zip (it was replaced or made by hand), use another artifact`);
        }
        const code = e.code;
        if (code === 'ENOSPC' || code === 'EDQUOT') {
            throw new ArtifactError(`${what} failed: no space left in ${directory} to extract the artifact; free space on the runner`);
        }
        throw new ArtifactError(`${what} failed: the artifact's zip cannot be extracted (${oneLine(errorMessage(e))})`);
    }
}
/** What the client needs to reach another run's artifacts through the REST API. */
function crossRunFindBy(runId, token, repository) {
    const repo = repository || process.env['GITHUB_REPOSITORY'] || '';
    const [owner, name, ...rest] = repo.split('/');
    if (!owner || !name || rest.length > 0) {
        throw new ConfigurationError(`repository must be owner/name, got "${repo}"`);
    }
    return { token, workflowRunId: runId, repositoryOwner: owner, repositoryName: name };
}
/** The artifact to download, with its digest, so a missing one fails before anything is written. */
async function findArtifact(client, opts, findBy) {
    const find = findBy === undefined ? {} : { findBy };
    if (opts.name !== undefined) {
        return (await client.getArtifact(opts.name, find)).artifact;
    }
    const { artifacts } = await client.listArtifacts(find);
    const found = artifacts.find(a => a.id === opts.id);
    if (found === undefined) {
        const where = findBy === undefined ? 'this workflow run' : `workflow run ${findBy.workflowRunId}`;
        throw new ArtifactError(`Download of artifact ${opts.id} failed: ${where} has no artifact with that id; check the id, that the artifact has not expired, and for another run pass its run-id`);
    }
    return found;
}
/** The runner's environment for the artifact service, or a ConfigurationError that says how to do without it. */
function actionsRuntime(action, alternative) {
    const required = ['ACTIONS_RUNTIME_TOKEN', 'ACTIONS_RESULTS_URL', 'GITHUB_REPOSITORY', 'GITHUB_RUN_ID'];
    const missing = required.filter(name => !process.env[name]);
    if (missing.length > 0) {
        throw new errors/* ConfigurationError */.j1(`Cannot ${action}: ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not set, so this is not a step of a GitHub Actions workflow job (the runner gives them to JavaScript actions only); run it inside a workflow, or ${alternative}`);
    }
    return {
        serverUrl: (process.env['GITHUB_SERVER_URL'] || 'https://github.com').replace(/\/+$/, ''),
        repository: process.env['GITHUB_REPOSITORY'] ?? '',
        runId: process.env['GITHUB_RUN_ID'] ?? ''
    };
}
/** One line from the client's error, with a hint for the failures a user can act on. */
function serviceError(what, e) {
    const name = e instanceof Error ? e.name : '';
    const message = oneLine((0,errors/* errorMessage */.gJ)(e)).replace(/\.$/, '');
    let hint = 'retry the job; if it keeps failing, check https://www.githubstatus.com';
    if (/already exists/i.test(message)) {
        hint = 'artifact names must be unique within a workflow run; choose another artifact-name';
    }
    else if (name === 'UsageError') {
        hint = 'the artifact storage quota is used up; delete old artifacts or set `upload: false`';
    }
    else if (name === 'NetworkError') {
        hint = "check that the runner can reach GitHub's artifact endpoints (results-receiver and blob storage)";
    }
    else if (name === 'GHESNotSupportedError') {
        hint = 'GitHub Enterprise Server does not offer artifact service v4; set `upload: false`';
    }
    else if (name === 'ArtifactNotFoundError') {
        hint = 'check the name or id, that the artifact has not expired, and for another run pass run-id and github-token';
    }
    else if (name === 'FilesNotFoundError') {
        hint = 'the files to upload must exist inside the root directory';
    }
    else if (/\((401|403)\)|Bad credentials/i.test(message)) {
        hint = 'the token was refused; for another run use a github-token with actions:read on the repository';
    }
    return new errors/* ArtifactError */.nE(`${what} failed: ${message}; ${hint}`);
}
/** The first non-empty line, signed-URL signatures masked. */
function oneLine(text) {
    const first = text
        .split(/\r?\n/)
        .map(line => line.trim())
        .find(line => line !== '');
    return (first ?? 'unknown error').replace(/([?&]sig=)[^&\s]+/gi, '$1***');
}
/** Races work against a timer; the work is left to settle on its own (the client cannot be cancelled). */
async function withTimeout(work, timeoutMs, what) {
    if (timeoutMs === undefined)
        return work;
    work.catch(() => undefined); // a late failure after the timeout must not surface as an unhandled rejection
    let timer;
    const expired = new Promise((_, reject) => {
        timer = setTimeout(() => reject(new errors/* ArtifactError */.nE(`${what} failed: the artifact service did not answer within ${Math.round(timeoutMs / 1000)} s; retry the job later`)), timeoutMs);
    });
    try {
        return await Promise.race([work, expired]);
    }
    finally {
        clearTimeout(timer);
    }
}
async function listFiles(directory) {
    const entries = await fs.readdir(directory, { recursive: true, withFileTypes: true });
    return entries
        .filter(entry => entry.isFile())
        .map(entry => path.join(entry.parentPath, entry.name))
        .sort();
}


/***/ })

};
