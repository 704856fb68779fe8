import { defineEntity, p } from '@mikro-orm/core';
import { allowedFileTypes, filePurposes } from '../../../shared/schemas/files.ts';
import { newId } from '../../ids.ts';
import { practiceFilter } from '../../tenant-filter.ts';
import { Practice } from '../practices/practice.entity.ts';
import { User } from '../users/user.entity.ts';

/**
 * An uploaded file's metadata; its bytes are in the FileStore under its id (and an image's preview under
 * `<id>.preview`), sealed under the file's own data key (sealed-stream.ts), which is stored here wrapped by
 * the key-encryption key `kekId`, as a note's is. The row is written only after the bytes, and removed
 * before them, so it never points at bytes that are not there.
 */
export const StoredFileSchema = defineEntity({
  name: 'StoredFile',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => newId()),
    practice: () => p.manyToOne(Practice),
    uploadedBy: () => p.manyToOne(User),
    mediaType: p.enum(allowedFileTypes),
    size: p.bigint('number'),
    /** Hex, for clients to check what they downloaded. */
    sha256: p.string().length(64),
    /** Base64, as FHIR's Attachment.hash wants it. */
    sha1: p.string().length(28),
    kekId: p.string().length(64),
    wrappedKey: p.text(),
    /** The sealed preview's plaintext size; null when there is none. */
    previewSize: p.integer().nullable(),
    /** Null while an upload nothing has claimed: its uploader's only, and swept after a day. */
    purpose: p.enum(filePurposes).nullable(),
    /** When a replaced photo stopped being used: the sweep removes it. */
    releasedAt: p.datetime().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
  indexes: [{ properties: ['purpose', 'createdAt'] }, { properties: ['releasedAt'] }, { properties: ['kekId'] }],
  filters: practiceFilter(),
});
export class StoredFile extends StoredFileSchema.class {}
StoredFileSchema.setClass(StoredFile);
