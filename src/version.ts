// The version opensips-ts reports (MI version, --version).
export const VERSION = '0.1.0';
