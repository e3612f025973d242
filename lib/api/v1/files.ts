// Endpoint contracts of /api/v1/files (files capability). Filled by the files work.
export {};
