import { defineModule } from '../../module-manifest.ts';
import { Note } from './note.entity.ts';
import { defineNoteJobs, scheduleNoteJobs } from './notes.jobs.ts';
import { notesRouter } from './notes.router.ts';

export const notesModule = defineModule({ routers: { notes: notesRouter }, entities: [Note], defineJobs: defineNoteJobs, scheduleJobs: scheduleNoteJobs });
