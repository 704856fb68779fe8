// A page that calls three procedures: tests/client-package.test.ts bundles it as a frontend would, to weigh it.
import { createPamsClient } from '@pams/client';

const api = createPamsClient({ url: location.origin });
const [me, patients, appointmentTypes] = await Promise.all([api.auth.me.query(), api.patients.list.query({ limit: 25 }), api.appointmentTypes.list.query()]);
document.body.textContent = JSON.stringify({ me, patients, appointmentTypes });
