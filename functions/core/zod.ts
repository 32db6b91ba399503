/**
 * zod for every function: the tree-shakable `zod/mini` API with zod's English messages.
 *
 * Use it as `import * as z from '#core/zod'`. The classic API (`import { z } from 'zod'`) and
 * even `import { z } from 'zod/mini'` put the whole library in the bundle (esbuild cannot shake a
 * namespace object that is imported by name); a namespace import keeps only what is used.
 * `zod/mini` is the same zod 4 core as `zod` (same checks, issues and messages) but registers no
 * locale: without `config(en())` every default message would read "Invalid input".
 */
import { config } from 'zod/mini';
import en from 'zod/v4/locales/en.js';

config(en());

export * from 'zod/mini';
