#!/usr/bin/env node
// Launcher for the built CLI (`npm run build` writes dist/).
import '../dist/cli/main.js';
