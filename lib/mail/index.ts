export { enqueueEmail, deliverPendingEmails, startMailDelivery, latestEmailTo, type TEmail } from './outbox';
