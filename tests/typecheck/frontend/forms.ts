// A form validating as the server does, with @pams/client/schemas and the frontend's own zod: type-checked, then run.
import { createPatientInput, loginInput } from '@pams/client/schemas';

const login = loginInput.safeParse({ email: 'not-an-email', password: 'x' });
const patient = createPatientInput.safeParse({ givenName: 'Aoife', familyName: 'Byrne', birthDate: '1990-04-01', gender: 'female', phone: '+353 1 234 5678' });
const phone: string | undefined = patient.success ? patient.data.phone : undefined;
console.log(JSON.stringify({ login: login.success, patient: patient.success, phone }));
