// Modules with a native implementation. The others are known from the
// catalog (signatures only): `run` refuses them, `dry-run --stub` simulates them.
import { maxfwd } from './maxfwd/index.js';
import { nathelper } from './nathelper/index.js';
import { sipmsgops } from './sipmsgops/index.js';
import type { NativeModule } from './types.js';

export const NATIVE_MODULES: Record<string, NativeModule> = {
  sipmsgops, maxfwd, nathelper,
};
