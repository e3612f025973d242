import { openApiDocument, openApiEndpoint, route } from '@/lib/api';
import { config } from '@/lib/config';

export const GET = route(openApiEndpoint, async () => openApiDocument(config().APP_URL));
