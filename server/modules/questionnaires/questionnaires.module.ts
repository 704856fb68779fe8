import { defineModule } from '../../module-manifest.ts';
import { QuestionBankItem } from './question-bank-item.entity.ts';
import { QuestionnaireVersion } from './questionnaire-version.entity.ts';
import { Questionnaire } from './questionnaire.entity.ts';
import { questionnairesRouter } from './questionnaires.router.ts';

export const questionnairesModule = defineModule({ routers: { questionnaires: questionnairesRouter }, entities: [Questionnaire, QuestionnaireVersion, QuestionBankItem] });
