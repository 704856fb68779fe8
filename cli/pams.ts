#!/usr/bin/env node
import { existsSync } from 'node:fs';
import { main } from './index.ts';

// Settings kept in a `.env` file in the working directory, as the systems PAMS replaces keep them, are read
// once, before anything parses the configuration; a variable already set in the environment wins.
if (existsSync('.env')) process.loadEnvFile('.env');

// Exit explicitly: a library's exit hook must not turn a failure into exit code 0.
process.exit(await main(process.argv));
