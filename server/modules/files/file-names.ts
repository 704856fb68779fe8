/** The store key of an image's preview; the file's own key is its id. */
export const previewKey = (fileId: string) => `${fileId}.preview`;

/** Where a file's bytes and its preview are downloaded, relative to the API's URL. */
export const contentPath = (fileId: string) => `/files/${fileId}`;
export const previewPath = (fileId: string) => `/files/${fileId}/preview`;
