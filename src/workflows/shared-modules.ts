/**
 * Evaluated once per worker thread and shared by every workflow (the bundler's preloadModules, see
 * src/workflow-bundle.ts), then frozen by the worker with the pristine globals. Imported the way the
 * workflows import it, so the bundle holds one copy, and used, so the bundler keeps the import (zod
 * declares itself free of side effects). Only stateless modules belong here.
 */
import { z } from 'zod';

// zod completes its global configuration (default locale, memoizer) on first use; done here, before
// the freeze, or the first schema a workflow builds would try to write to the frozen configuration.
z.object({ primed: z.string() }).safeParse({ primed: 0 });

export const sharedZod = z;
