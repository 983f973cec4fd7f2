export const id = 849;
export const ids = [849];
export const modules = {

/***/ 15849:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   uploadBackup: () => (/* binding */ uploadBackup)
/* harmony export */ });
/* unused harmony export downloadBackup */
/* harmony import */ var _actions_artifact__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(19044);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(73024);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(node_fs__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(76760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_2___default = /*#__PURE__*/__webpack_require__.n(node_path__WEBPACK_IMPORTED_MODULE_2__);
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(83916);
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
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_3__/* .ConfigurationError */ .j1(`retention-days must be a whole number from 1 to 90, got ${opts.retentionDays}`);
    }
    const client = new _actions_artifact__WEBPACK_IMPORTED_MODULE_0__/* .DefaultArtifactClient */ .t9();
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
        if (e instanceof _errors_js__WEBPACK_IMPORTED_MODULE_3__/* .ArtifactError */ .nE)
            throw e;
        throw serviceError(what, e);
    }
    if (result.id === undefined) {
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_3__/* .ArtifactError */ .nE(`${what} failed: the artifact service returned no artifact id; retry the job`);
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
    try {
        const work = (async () => {
            const found = await findArtifact(client, opts, findBy);
            const response = await client.downloadArtifact(found.id, {
                path: directory,
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
        throw new ArtifactError(`${what} failed: the downloaded zip's sha256 differs from the digest recorded at upload (${artifact.digest}); it was damaged in storage or in transit; discard the extracted files and download it again`);
    }
    return { path: directory, files: await listFiles(directory), id: artifact.id };
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
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_3__/* .ConfigurationError */ .j1(`Cannot ${action}: ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not set, so this is not a step of a GitHub Actions workflow job (the runner gives them to JavaScript actions only); run it inside a workflow, or ${alternative}`);
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
    const message = oneLine((0,_errors_js__WEBPACK_IMPORTED_MODULE_3__/* .errorMessage */ .gJ)(e)).replace(/\.$/, '');
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
    return new _errors_js__WEBPACK_IMPORTED_MODULE_3__/* .ArtifactError */ .nE(`${what} failed: ${message}; ${hint}`);
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
        timer = setTimeout(() => reject(new _errors_js__WEBPACK_IMPORTED_MODULE_3__/* .ArtifactError */ .nE(`${what} failed: the artifact service did not answer within ${Math.round(timeoutMs / 1000)} s; retry the job later`)), timeoutMs);
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
