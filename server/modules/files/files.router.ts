import { fileIdInput, fileOutput } from '../../../shared/schemas/files.ts';
import { authedProcedure, router } from '../../trpc.ts';
import { toFileDto } from './file.dto.ts';
import { findReadableFile } from './file-access.ts';

/** Uploads are `POST /files` (plain HTTP, streamed) and downloads `GET /files/{id}`; this says what a file is, to whoever may read it. */
export const filesRouter = router({
  byId: authedProcedure
    .meta({ phi: true })
    .input(fileIdInput)
    .output(fileOutput)
    .query(async ({ ctx, input }) => toFileDto(await findReadableFile(ctx, input.id))),
});
