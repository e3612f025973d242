// Endpoint contracts of archival and restore (/api/v1/admin/archival/*, /api/v1/files/{id}/restore).
export {};
