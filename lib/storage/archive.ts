// Archive-bucket operations (copy with storage class, verify, restore). Filled by the archival work.
export {};
