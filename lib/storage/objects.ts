// Hot-bucket object operations (streamed uploads, presigned URLs, delete). Filled by the files work.
export {};
