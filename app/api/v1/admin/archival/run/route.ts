import { adminRunArchivalEndpoint, route } from '@/lib/api';
import { requestArchivalRun } from '@/lib/jobs';

export const POST = route(adminRunArchivalEndpoint, async () => ({ run: await requestArchivalRun('manual') }));
