// The module contract each module's table follows. It is defined by the script
// layer that calls the functions (script/module-contract.ts); modules import it
// from here.
export * from '../script/module-contract.js';
