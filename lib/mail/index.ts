export { enqueueEmail, deliverPendingEmails, startMailDelivery, type TEmail } from './outbox';
