export const id = 346;
export const ids = [346];
export const modules = {

/***/ 92346:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  abortUnfinishedUploads: () => (/* reexport */ abortUnfinishedUploads),
  backupKey: () => (/* reexport */ s3_settings/* backupKey */.eT),
  checkDestination: () => (/* reexport */ checkDestination),
  uploadFile: () => (/* reexport */ uploadFile)
});

// UNUSED EXPORTS: DEFAULT_PART_SIZE, DEFAULT_QUEUE_SIZE, S3Error, downloadObject, formatS3Uri, manifestUri, parseS3Settings, parseS3Uri, s3Client, s3Failure, startUpload

// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __webpack_require__(77598);
// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __webpack_require__(73024);
// EXTERNAL MODULE: external "node:fs/promises"
var promises_ = __webpack_require__(51455);
// EXTERNAL MODULE: external "node:stream/promises"
var external_node_stream_promises_ = __webpack_require__(46466);
// EXTERNAL MODULE: ./src/s3/errors.ts
var errors = __webpack_require__(41863);
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
    const s3 = await s3Client(access, options);
    const partial = `${dest}.partial`;
    try {
        const version = options.versionId ? { VersionId: options.versionId } : {};
        const res = await s3.client.send(new s3.sdk.GetObjectCommand({ Bucket: bucket, Key: key, ChecksumMode: 'ENABLED', ...version }));
        const stored = res.ChecksumSHA256;
        if (!stored) {
            res.Body?.transformToWebStream()
                .cancel()
                .catch(() => undefined);
            throw new S3Error(`download of ${uri} refused: the object has no SHA-256 checksum, so it was not uploaded by this action (or the store drops checksums)`);
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
                throw new S3Error(`download of ${uri} failed: the store listed ${list.length} parts with checksums for a ${parts[1]}-part object; it cannot be checked`);
            }
            checker = new PartChecker(list.map(p => ({ size: p.Size, sha256: p.ChecksumSHA256 })), stored, uri);
        }
        else {
            checker = new PartChecker([{ size: Number(res.ContentLength ?? 0), sha256: stored }], undefined, uri);
        }
        const whole = createHash('sha256');
        let size = 0;
        const body = res.Body;
        if (!body)
            throw new S3Error(`download of ${uri} failed: the store sent no body`);
        await pipeline(body, async function* (source) {
            for await (const chunk of source) {
                whole.update(chunk);
                size += chunk.byteLength;
                checker.update(chunk);
                yield chunk;
            }
            checker.end();
        }, createWriteStream(partial, { mode: 0o600 }));
        await rename(partial, dest);
        const out = { path: dest, size, sha256: whole.digest('hex'), storedChecksum: stored };
        if (res.VersionId)
            out.versionId = res.VersionId;
        return out;
    }
    catch (e) {
        await rm(partial, { force: true });
        throw s3Failure(e, op);
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
    hash = createHash('sha256');
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
            const sum = createHash('sha256').update(Buffer.concat(this.digests)).digest('base64');
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
        this.hash = createHash('sha256');
        this.left = this.parts[this.index]?.size ?? 0;
    }
    fail(why) {
        throw new S3Error(`download of ${this.uri} failed its checksum: ${why}; the stored object is damaged, do not restore it`);
    }
}

// EXTERNAL MODULE: ./src/s3/settings.ts
var s3_settings = __webpack_require__(27409);
// EXTERNAL MODULE: external "node:stream"
var external_node_stream_ = __webpack_require__(57075);
// EXTERNAL MODULE: ./src/errors.ts
var src_errors = __webpack_require__(83916);
;// CONCATENATED MODULE: ./src/s3/client.ts

/** Loads the SDK and makes a client for `access`. */
async function client_s3Client(access, options = {}) {
    if (!access.region && !process.env['AWS_REGION'] && !process.env['AWS_DEFAULT_REGION']) {
        throw new src_errors/* ConfigurationError */.j1('no region for S3: set s3-region (or AWS_REGION, as aws-actions/configure-aws-credentials does)');
    }
    const sdk = await __webpack_require__.e(/* import() */ 711).then(__webpack_require__.t.bind(__webpack_require__, 53711, 19));
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

;// CONCATENATED MODULE: ./src/s3/upload.ts







const MiB = 1024 * 1024;
/** 16 MiB parts: 10,000 parts (S3's limit) cover 156 GiB, far above etcd's 8 GiB quota. */
const DEFAULT_PART_SIZE = 16 * MiB;
const DEFAULT_QUEUE_SIZE = 4;
const MAX_PARTS = 10_000;
const DAY_MS = 86_400_000;
/** Marks the body's end as an abort, so a rejection carrying it is ours, not a failure. */
class UploadAborted extends Error {
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
        throw new src_errors/* ConfigurationError */.j1(`S3 part size must be a whole number of bytes from 5 MiB to 5 GiB, got ${partSize}`);
    }
    if (!(Number.isSafeInteger(queueSize) && queueSize >= 1 && queueSize <= 64)) {
        throw new src_errors/* ConfigurationError */.j1(`S3 queue size must be a whole number from 1 to 64, got ${queueSize}`);
    }
    const op = { verb: 'upload', bucket: settings.bucket, key, endpoint: settings.endpoint };
    const s3 = await client_s3Client(settings, options);
    await checkBucket(s3, settings, op);
    const { Upload } = await Promise.all(/* import() */[__webpack_require__.e(711), __webpack_require__.e(358)]).then(__webpack_require__.t.bind(__webpack_require__, 22358, 19));
    const retainUntil = settings.objectLock ? new Date(Date.now() + settings.objectLock.days * DAY_MS) : undefined;
    const body = new external_node_stream_.PassThrough({ highWaterMark: MiB });
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
        const error = (0,errors/* s3Failure */.l)(e, { ...op, verb });
        const id = leftover();
        if (!id)
            return error;
        return new errors/* S3Error */.D(`${error.message}; its unfinished multipart upload ${id} could not be aborted: abortUnfinishedUploads() on the next run, or a lifecycle rule with AbortIncompleteMultipartUpload, removes it`);
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
        uri: (0,s3_settings/* formatS3Uri */.EO)({ bucket: settings.bucket, key }),
        async write(chunk) {
            if (state !== 'open')
                throw new errors/* S3Error */.D(`write to s3://${settings.bucket}/${key} after the upload was ${state}`);
            if (failure)
                throw failure;
            size += chunk.byteLength;
            if (!body.write(chunk)) {
                await Promise.race([new Promise(resolve => body.once('drain', resolve)), failedPromise]);
            }
        },
        async complete() {
            if (state !== 'open')
                throw new errors/* S3Error */.D(`complete of s3://${settings.bucket}/${key} after the upload was ${state}`);
            state = 'completing';
            body.end();
            const result = await done;
            state = 'completed';
            const uploaded = {
                uri: (0,s3_settings/* formatS3Uri */.EO)({ bucket: settings.bucket, key }),
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
    const { size } = await (0,promises_.stat)(file);
    // Keep within S3's 10,000 parts: larger parts for a file above 156 GiB.
    const partSize = Math.max(options.partSize ?? DEFAULT_PART_SIZE, Math.ceil(size / MAX_PARTS / MiB) * MiB);
    const up = await startUpload(settings, key, { ...options, partSize });
    try {
        for await (const chunk of (0,external_node_fs_.createReadStream)(file, { highWaterMark: MiB }))
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
    const s3 = await client_s3Client(settings, options);
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
        throw (0,errors/* s3Failure */.l)(e, op);
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
    const s3 = await client_s3Client(settings, options);
    try {
        await checkBucket(s3, settings, { verb: 'upload', bucket: settings.bucket, key, endpoint: settings.endpoint });
    }
    finally {
        s3.client.destroy();
    }
}
/** Fails with one line, before any byte is sent, when the bucket is missing or refuses us, or lacks Object Lock. */
async function checkBucket(s3, settings, op) {
    // A GET, not HeadBucket: a HEAD's error has no body, so it cannot tell wrong credentials from a missing permission.
    // This one needs s3:ListBucketMultipartUploads, which abortUnfinishedUploads() needs anyway.
    try {
        await s3.client.send(new s3.sdk.ListMultipartUploadsCommand({ Bucket: settings.bucket, Prefix: op.key ?? '', MaxUploads: 1 }));
    }
    catch (e) {
        throw (0,errors/* s3Failure */.l)(e, { ...op, verb: 'upload (checking the bucket)' });
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
            throw (0,errors/* s3Failure */.l)(e, { ...op, verb: 'upload (checking the bucket for Object Lock)' });
        }
    }
    if (enabled !== 'Enabled') {
        throw new src_errors/* ConfigurationError */.j1(`upload of s3://${settings.bucket}/${op.key ?? ''} refused: bucket ${settings.bucket} has no Object Lock, so s3-object-lock-mode cannot be applied; create the bucket with Object Lock enabled, or unset s3-object-lock-mode`);
    }
}

;// CONCATENATED MODULE: ./src/s3/index.ts
/** The offsite copy to S3 or an S3-compatible store: settings, upload after the gate, download for a restore. */







/***/ })

};
