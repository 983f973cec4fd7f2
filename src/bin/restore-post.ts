import { run } from '../action/restore-post.js'

await run()
