import { run } from '../restore-post.js'

await run()
