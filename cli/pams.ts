#!/usr/bin/env node
import { main } from './index.ts';

// Exit explicitly: a library's exit hook must not turn a failure into exit code 0.
process.exit(await main(process.argv));
